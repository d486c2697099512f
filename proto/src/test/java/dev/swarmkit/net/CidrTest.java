package dev.swarmkit.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CidrTest {

  @Test
  void parsesIpv4AndIpv6PrefixesAndRefusesAnythingElse() {
    Cidr v4 = Cidr.parse("10.0.3.7/24").orElseThrow();
    assertThat(v4.isIpv4()).isTrue();
    assertThat(v4.prefixLength()).isEqualTo(24);
    assertThat(v4.networkString()).isEqualTo("10.0.3.0/24");
    assertThat(v4.toString()).isEqualTo("10.0.3.7/24");
    assertThat(Cidr.parse("fd00::/64").orElseThrow().isIpv4()).isFalse();
    assertThat(Cidr.parse("10.0.0.0")).isEmpty();
    assertThat(Cidr.parse("10.0.0.0/33")).isEmpty();
    assertThat(Cidr.parse("10.0.0.0/")).isEmpty();
    assertThat(Cidr.parse("010.0.0.0/8")).as("leading zeros, as Go refuses").isEmpty();
    assertThat(Cidr.parse("example.com/24")).as("never a host name").isEmpty();
  }

  @Test
  void anIpv4MappedPrefixNormalisesToIpv4() {
    Cidr mapped = Cidr.parse("::ffff:10.1.0.0/112").orElseThrow();
    assertThat(mapped.isIpv4()).isTrue();
    assertThat(mapped.prefixLength()).isEqualTo(16);
    assertThat(Cidr.parse("::ffff:10.1.0.0/90")).isEmpty();
  }

  @Test
  void containmentAndOverlap() {
    Cidr net = Cidr.parse("192.168.0.0/16").orElseThrow();
    assertThat(net.contains(Cidr.parseAddress("192.168.44.1").orElseThrow())).isTrue();
    assertThat(net.contains(Cidr.parseAddress("192.169.0.1").orElseThrow())).isFalse();
    assertThat(net.contains(Cidr.parseAddress("::ffff:192.168.1.1").orElseThrow())).isTrue();
    assertThat(net.contains(Cidr.parseAddress("fd00::1").orElseThrow())).isFalse();
    assertThat(net.overlaps(Cidr.parse("192.168.7.0/24").orElseThrow())).isTrue();
    assertThat(Cidr.parse("192.168.7.0/24").orElseThrow().overlaps(net)).isTrue();
    assertThat(net.overlaps(Cidr.parse("10.0.0.0/8").orElseThrow())).isFalse();
  }

  @Test
  void ipv4ArithmeticForAddressPools() {
    Cidr net = Cidr.ipv4(Cidr.parse("10.0.1.0/24").orElseThrow().networkValue(), 24);
    assertThat(net.size()).isEqualTo(256);
    assertThat(Cidr.format(net.addressAt(1))).isEqualTo("10.0.1.1");
    assertThat(net.offsetOf(Cidr.parseAddress("10.0.1.200").orElseThrow())).isEqualTo(200);
  }
}
