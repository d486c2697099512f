package dev.swarmkit.executor.docker.secrets;

import com.google.protobuf.ByteString;

/**
 * One file a task's container gets: a secret or a config, its path inside the container, its
 * content (templates already expanded), owner and permission bits.
 *
 * @param kind secret or config
 * @param dependencyId the secret's or config's ID
 * @param target absolute path in the container
 */
public record TaskFile(Kind kind, String dependencyId, String target, ByteString data, int uid, int gid, int mode) {

  public enum Kind {
    SECRET("secrets"),
    CONFIG("configs");

    private final String directory;

    Kind(String directory) {
      this.directory = directory;
    }

    /** The subdirectory of a task's directory that holds files of this kind. */
    public String directory() {
      return directory;
    }
  }

  @Override
  public String toString() {
    // Never print the data: it may be a secret.
    return "TaskFile[" + kind + " " + dependencyId + " -> " + target + ", uid=" + uid + ", gid=" + gid
        + ", mode=" + Integer.toOctalString(mode) + "]";
  }
}
