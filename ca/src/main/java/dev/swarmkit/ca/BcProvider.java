package dev.swarmkit.ca;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Bouncy Castle's JCA provider for the CA's ECDSA signatures, used by name and never registered
 * globally. The JDK's EC code is written for the C2 compiler; swarmd runs C1 only, where Bouncy
 * Castle verifies a P-256 signature 6x and signs 4x faster (790 against 126 µs, 420 against 101 µs),
 * and checking and signing certificate requests was most of the leader's CPU while 2,000 nodes joined.
 * A holder: the provider's classes load on the first signature, not when a node starts.
 */
final class BcProvider {

  static final Provider INSTANCE = new BouncyCastleProvider();

  private BcProvider() {}
}
