package dev.swarmkit.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JoinTokenTest {

  private static final RootCA ROOT = RootCA.create();

  @Test
  void generatedTokenHasUpstreamFormatWithTheRootDigestInBase36() throws Exception {
    String token = JoinToken.generate(ROOT);
    assertThat(token).matches("^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$");

    byte[] sha = MessageDigest.getInstance("SHA-256").digest(ROOT.certPem());
    String expected = new BigInteger(1, sha).toString(36);
    expected = "0".repeat(50 - expected.length()) + expected;
    assertThat(token.split("-")[2]).isEqualTo(expected);
  }

  @Test
  void tokensDifferOnlyInTheirSecret() {
    String a = JoinToken.generate(ROOT);
    String b = JoinToken.generate(ROOT);
    assertThat(a).isNotEqualTo(b);
    assertThat(a.substring(0, 60)).isEqualTo(b.substring(0, 60));
  }

  @Test
  void parsedTokenMatchesItsRootAndNoOther() throws Exception {
    JoinToken parsed = JoinToken.parse(JoinToken.generate(ROOT));
    assertThat(parsed.version()).isEqualTo(1);
    assertThat(parsed.rootDigestHex()).isEqualTo(ROOT.digestHex());
    assertThat(parsed.matchesRoot(ROOT.certPem())).isTrue();
    assertThat(parsed.matchesRoot(RootCA.create().certPem())).isFalse();
  }

  @Test
  void versionTwoTokensParse() throws Exception {
    String v1 = JoinToken.generate(ROOT);
    JoinToken v2 = JoinToken.parse(v1.replace("SWMTKN-1-", "SWMTKN-2-1-"));
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v2.fips()).isTrue();
    assertThat(v2.rootDigestHex()).isEqualTo(ROOT.digestHex());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "garbage",
      "SWMTKN-1-abc-def",
      "SWMTKN-3-00000000000000000000000000000000000000000000000000-0000000000000000000000000",
      "XWMTKN-1-00000000000000000000000000000000000000000000000000-0000000000000000000000000",
      "SWMTKN-1-0000000000000000000000000000000000000000000000000-0000000000000000000000000",
      "SWMTKN-1-00000000000000000000000000000000000000000000000000-000000000000000000000000",
      "SWMTKN-1-0000000000000000000000000000000000000000000000000!-0000000000000000000000000",
      "SWMTKN-1-0000000000000000000000000000000000000000000000000A-0000000000000000000000000",
      "SWMTKN-1-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-0000000000000000000000000",
      "SWMTKN-1-00000000000000000000000000000000000000000000000000-0000000000000000000000000-x",
      "SWMTKN-2-7-00000000000000000000000000000000000000000000000000-0000000000000000000000000",
  })
  void malformedTokensAreRejectedWithAClearError(String token) {
    assertThatThrownBy(() -> JoinToken.parse(token))
        .isInstanceOf(InvalidJoinTokenException.class).hasMessage("invalid join token");
  }

  @Test
  void nullTokenIsRejected() {
    assertThatThrownBy(() -> JoinToken.parse(null)).isInstanceOf(InvalidJoinTokenException.class);
  }

  @Test
  void constantTimeComparisonMatchesOnlyEqualNonEmptyTokens() {
    String token = JoinToken.generate(ROOT);
    assertThat(JoinToken.constantTimeEquals(token, new String(token))).isTrue();
    assertThat(JoinToken.constantTimeEquals(token, JoinToken.generate(ROOT))).isFalse();
    assertThat(JoinToken.constantTimeEquals("", "")).isFalse();
    assertThat(JoinToken.constantTimeEquals(token, null)).isFalse();
  }
}
