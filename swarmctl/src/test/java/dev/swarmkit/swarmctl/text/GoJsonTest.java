package dev.swarmkit.swarmctl.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expected strings are what Go's json.Marshal / MarshalIndent(v, "", "  ") print for the same input. */
class GoJsonTest {
    @Test
    void escapesExactlyWhatGosEncoderEscapes() {
        assertThat(GoJson.quote("k=v 'q' <a href=\"x\">&amp;</a>"))
                .isEqualTo("\"k=v 'q' \\u003ca href=\\\"x\\\"\\u003e\\u0026amp;\\u003c/a\\u003e\"");
        assertThat(GoJson.quote("tab\tnl\ncr\rbs\bff\f\u0001\u001f\u007f"))
                .isEqualTo("\"tab\\tnl\\ncr\\rbs\\bff\\f\\u0001\\u001f\u007f\"");
        assertThat(GoJson.quote("back\\slash \u2028\u2029 é 😀")).isEqualTo("\"back\\\\slash \\u2028\\u2029 é 😀\"");
        assertThat(GoJson.quote("lone \ud800 surrogate")).isEqualTo("\"lone \\ufffd surrogate\"");
    }

    @Test
    void indentsAsMarshalIndent() {
        assertThat(GoJson.indent("{\"a\":{\"b\":[1,\"x\"],\"c\":{},\"d\":[]},\"e\":true,\"f\":null,\"g\":1.5}"))
                .isEqualTo("{\n  \"a\": {\n    \"b\": [\n      1,\n      \"x\"\n    ],\n    \"c\": {},\n"
                        + "    \"d\": []\n  },\n  \"e\": true,\n  \"f\": null,\n  \"g\": 1.5\n}");
    }
}
