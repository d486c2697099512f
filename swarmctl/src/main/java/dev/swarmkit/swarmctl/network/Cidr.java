package dev.swarmkit.swarmctl.network;

import dev.swarmkit.swarmctl.CliException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IP prefix such as 10.0.0.0/24, enough to match gateways and ranges to their subnets. */
record Cidr(byte[] address, int prefixLength) {

    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new CliException("invalid CIDR address: " + text);
        }
        byte[] address = literal(text.substring(0, slash), "invalid CIDR address: " + text);
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new CliException("invalid CIDR address: " + text);
        }
        if (prefix < 0 || prefix > address.length * 8) {
            throw new CliException("invalid CIDR address: " + text);
        }
        return new Cidr(address, prefix);
    }

    /** An IP literal; anything else matches no subnet. */
    static byte[] address(String text) {
        try {
            return literal(text, "");
        } catch (CliException e) {
            return new byte[0];
        }
    }

    private static byte[] literal(String text, String error) {
        if (!text.matches("[0-9a-fA-F:.]+")) {
            throw new CliException(error);
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new CliException(error);
        }
    }

    boolean isIpv4() {
        return address.length == 4;
    }

    byte[] network() {
        return mask(address);
    }

    boolean contains(byte[] ip) {
        return ip.length == address.length && new BigInteger(1, mask(ip)).equals(new BigInteger(1, network()));
    }

    private byte[] mask(byte[] ip) {
        byte[] masked = ip.clone();
        for (int bit = prefixLength; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        }
        return masked;
    }
}
