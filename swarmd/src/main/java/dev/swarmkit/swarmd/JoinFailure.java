package dev.swarmkit.swarmd;

import dev.swarmkit.ca.InvalidJoinTokenException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertificateException;
import java.util.Locale;

/**
 * Why a join through a manager failed, as one line for the operator, and whether trying again may
 * help (the manager is down or slow) or not (the token is wrong).
 */
record JoinFailure(String message, boolean retry) {

  static JoinFailure of(String joinAddr, Throwable e) {
    if (e instanceof InvalidJoinTokenException) {
      return new JoinFailure("--join-token is not a join token (expected SWMTKN-1-...); copy it from "
          + "`swarmctl cluster inspect default` on a manager", false);
    }
    if (e instanceof CertificateException ce && String.valueOf(ce.getMessage()).contains("fingerprint")) {
      return new JoinFailure("--join-token does not belong to the swarm at " + joinAddr
          + " (its root CA fingerprint differs); use a token of that swarm or the --join-addr of this token's swarm",
          false);
    }
    if (e instanceof StatusRuntimeException sre) {
      Status s = sre.getStatus();
      String desc = s.getDescription() == null ? "" : s.getDescription();
      switch (s.getCode()) {
        case UNAVAILABLE: {
          String why = networkReason(sre);
          if (why != null) {
            return new JoinFailure("cannot reach manager " + joinAddr + ": " + why + "; is --join-addr right?", true);
          }
          return new JoinFailure("manager " + joinAddr + " is unavailable: " + (desc.isEmpty() ? "no reason given" : desc)
              + "; is --join-addr a manager's remote API?", true);
        }
        case DEADLINE_EXCEEDED:
          return new JoinFailure("manager " + joinAddr + " did not answer in time; it may be overloaded or "
              + "without a leader", true);
        case INVALID_ARGUMENT:
        case PERMISSION_DENIED:
        case UNAUTHENTICATED:
          if (desc.toLowerCase(Locale.ROOT).contains("join token")) {
            return new JoinFailure("manager " + joinAddr + " refused --join-token: " + desc
                + "; use the current token from `swarmctl cluster inspect default`", false);
          }
          return new JoinFailure("manager " + joinAddr + " refused the join: " + desc, false);
        default:
          return new JoinFailure("joining through manager " + joinAddr + " failed: " + s.getCode() + " "
              + desc, true);
      }
    }
    if (e instanceof CertificateException) {
      return new JoinFailure("joining through manager " + joinAddr + " failed: " + e.getMessage(), true);
    }
    return new JoinFailure("joining through manager " + joinAddr + " failed: " + e, true);
  }

  /** "connection refused" and the like from the transport, or null if this is no network failure. */
  static String networkReason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String msg = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (msg.contains("connection refused")) {
        return "connection refused";
      }
      if (t instanceof NoRouteToHostException || msg.contains("no route to host")) {
        return "no route to host";
      }
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return "unknown host";
      }
      if (msg.contains("connection timed out")) {
        return "connection timed out";
      }
      if (msg.contains("connection reset")) {
        return "connection reset";
      }
      if (t instanceof ConnectException) {
        return t.getMessage();
      }
    }
    return null;
  }
}
