package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.BindOptions;
import com.github.dockerjava.api.model.BindPropagation;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Driver;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Isolation;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.VolumeOptions;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.HealthConfig;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.ResourceRequirements;
import dev.swarmkit.api.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Translates a task's {@link ContainerSpec} into an Engine API container-create request, as
 * upstream's dockerexec containerConfig. Construction validates everything, so applying never
 * fails: a spec the engine could not express is rejected up front with a readable reason.
 */
public final class ContainerSpecMapping {

  /** The kernel's default CFS period (100ms), in microseconds, as upstream. */
  static final long CPU_QUOTA_PERIOD_MICROS = 100_000;
  /** Upstream's default stop grace period when the spec has none. */
  static final int DEFAULT_STOP_GRACE_SECONDS = 10;

  private final Task task;
  private final ContainerSpec spec;
  private final List<Capability> capAdd;
  private final List<Capability> capDrop;
  private final LogConfig logConfig;
  private final TaskNetworks networks;
  private final TaskPorts ports;

  public ContainerSpecMapping(Task task) throws ExecutorException.Rejected {
    this(null, task);
  }

  /** With the node's description, so templates such as {{.Node.Hostname}} can be expanded. */
  public ContainerSpecMapping(NodeDescription node, Task task) throws ExecutorException.Rejected {
    if (!task.getSpec().hasContainer()) {
      throw new ExecutorException.Rejected("task runtime is not a container", null);
    }
    this.task = task;
    this.spec = SpecTemplates.expand(node, task);
    if (spec.getImage().isEmpty()) {
      throw new ExecutorException.Rejected("dockerexec: image required", null);
    }
    this.capAdd = capabilities(spec.getCapabilityAddList());
    this.capDrop = capabilities(spec.getCapabilityDropList());
    this.logConfig = logConfig(task);
    this.networks = new TaskNetworks(task);
    this.ports = new TaskPorts(task);
    for (Mount mount : spec.getMountsList()) {
      if (mount.getType() == Mount.Type.CLUSTER || mount.getType() == Mount.Type.UNRECOGNIZED) {
        throw new ExecutorException.Rejected(
            "mount type " + mount.getType() + " (target " + mount.getTarget() + ") is not supported by the Docker executor", null);
      }
      if (mount.getTarget().isEmpty()) {
        throw new ExecutorException.Rejected("mount target must not be empty", null);
      }
    }
  }

  public Task task() {
    return task;
  }

  public ContainerSpec spec() {
    return spec;
  }

  public TaskNetworks networks() {
    return networks;
  }

  TaskPorts ports() {
    return ports;
  }

  public String name() {
    return TaskContainers.name(task);
  }

  public String image() {
    return spec.getImage();
  }

  /** Stop grace period in whole seconds (the Engine API's unit); 10s when the spec has none. */
  public int stopGraceSeconds() {
    return spec.hasStopGracePeriod() ? (int) spec.getStopGracePeriod().getSeconds() : DEFAULT_STOP_GRACE_SECONDS;
  }

  /** Fills the create request: container config, host config and name. */
  public CreateContainerCmd applyTo(CreateContainerCmd cmd) {
    cmd.withName(name())
        .withLabels(TaskContainers.labels(task))
        .withEnv(env())
        .withTty(spec.getTty())
        .withStdinOpen(spec.getOpenStdin());
    if (!spec.getUser().isEmpty()) {
      cmd.withUser(spec.getUser());
    }
    if (!spec.getHostname().isEmpty()) {
      cmd.withHostName(spec.getHostname());
    }
    if (!spec.getDir().isEmpty()) {
      cmd.withWorkingDir(spec.getDir());
    }
    if (!spec.getStopSignal().isEmpty()) {
      cmd.withStopSignal(spec.getStopSignal());
    }
    // Command replaces the image's whole invocation (entrypoint + args); Args alone feed the
    // image's entrypoint.
    if (spec.getCommandCount() > 0) {
      cmd.withEntrypoint(spec.getCommandList());
      cmd.withCmd(spec.getArgsList());
    } else if (spec.getArgsCount() > 0) {
      cmd.withCmd(spec.getArgsList());
    }
    HealthCheck health = healthcheck();
    if (health != null) {
      cmd.withHealthcheck(health);
    }
    List<ExposedPort> exposed = ports.exposed();
    List<PortBinding> bindings = ports.bindings();
    if (!exposed.isEmpty()) {
      cmd.withExposedPorts(exposed);
    }
    HostConfig host = hostConfig(bindings);
    networks.applyTo(cmd, host);
    cmd.withHostConfig(host);
    return cmd;
  }

  /** The spec's env plus the task's assigned generic resources as DOCKER_RESOURCE_<KIND>=v1,v2. */
  List<String> env() {
    List<String> env = new ArrayList<>(spec.getEnvList());
    Map<String, List<String>> byKind = new LinkedHashMap<>();
    for (GenericResource r : task.getAssignedGenericResourcesList()) {
      String kind;
      String value;
      if (r.hasDiscreteResourceSpec()) {
        kind = r.getDiscreteResourceSpec().getKind();
        value = Long.toString(r.getDiscreteResourceSpec().getValue());
      } else if (r.hasNamedResourceSpec()) {
        kind = r.getNamedResourceSpec().getKind();
        value = r.getNamedResourceSpec().getValue();
      } else {
        continue;
      }
      byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(value);
    }
    byKind.forEach((kind, values) ->
        env.add(("DOCKER_RESOURCE_" + kind).toUpperCase(Locale.ROOT) + "=" + String.join(",", values)));
    return env;
  }

  private HostConfig hostConfig(List<PortBinding> bindings) {
    HostConfig host = HostConfig.newHostConfig();
    resources(host);
    List<com.github.dockerjava.api.model.Mount> mounts = mounts();
    if (!mounts.isEmpty()) {
      host.withMounts(mounts);
    }
    Map<String, String> tmpfs = tmpfs();
    if (!tmpfs.isEmpty()) {
      host.withTmpFs(tmpfs);
    }
    if (spec.getGroupsCount() > 0) {
      host.withGroupAdd(spec.getGroupsList());
    }
    if (!bindings.isEmpty()) {
      host.withPortBindings(new Ports(bindings.toArray(PortBinding[]::new)));
    }
    if (spec.hasInit()) {
      host.withInit(spec.getInit().getValue());
    }
    if (spec.getReadOnly()) {
      host.withReadonlyRootfs(true);
    }
    if (!capAdd.isEmpty()) {
      host.withCapAdd(capAdd.toArray(Capability[]::new));
    }
    if (!capDrop.isEmpty()) {
      host.withCapDrop(capDrop.toArray(Capability[]::new));
    }
    if (spec.getSysctlsCount() > 0) {
      host.withSysctls(spec.getSysctlsMap());
    }
    if (spec.getOomScoreAdj() != 0) {
      host.withOomScoreAdj((int) spec.getOomScoreAdj());
    }
    List<String> extraHosts = extraHosts(spec.getHostsList());
    if (!extraHosts.isEmpty()) {
      host.withExtraHosts(extraHosts.toArray(String[]::new));
    }
    if (spec.hasDnsConfig()) {
      ContainerSpec.DNSConfig dns = spec.getDnsConfig();
      if (dns.getNameserversCount() > 0) {
        host.withDns(dns.getNameserversList());
      }
      if (dns.getSearchCount() > 0) {
        host.withDnsSearch(dns.getSearchList());
      }
      if (dns.getOptionsCount() > 0) {
        host.withDnsOptions(dns.getOptionsList());
      }
    }
    if (logConfig != null) {
      host.withLogConfig(logConfig);
    }
    // Only Windows engines offer a choice; a Linux engine refuses anything but the default.
    switch (spec.getIsolation()) {
      case ISOLATION_PROCESS -> host.withIsolation(Isolation.PROCESS);
      case ISOLATION_HYPERV -> host.withIsolation(Isolation.HYPERV);
      default -> { }
    }
    return host;
  }

  private void resources(HostConfig host) {
    if (spec.getPidsLimit() > 0) {
      host.withPidsLimit(spec.getPidsLimit());
    }
    if (spec.getUlimitsCount() > 0) {
      List<Ulimit> ulimits = new ArrayList<>();
      for (ContainerSpec.Ulimit u : spec.getUlimitsList()) {
        ulimits.add(new Ulimit(u.getName(), u.getSoft(), u.getHard()));
      }
      host.withUlimits(ulimits);
    }
    if (!task.getSpec().hasResources()) {
      return;
    }
    ResourceRequirements r = task.getSpec().getResources();
    if (r.hasLimits()) {
      if (r.getLimits().getMemoryBytes() > 0) {
        host.withMemory(r.getLimits().getMemoryBytes());
      }
      if (r.getLimits().getNanoCpus() > 0) {
        host.withCpuPeriod(CPU_QUOTA_PERIOD_MICROS);
        host.withCpuQuota(r.getLimits().getNanoCpus() * CPU_QUOTA_PERIOD_MICROS / 1_000_000_000L);
      }
    }
    // A memory reservation becomes the engine's soft limit; CPU reservations only steer the
    // scheduler (the engine has no matching knob).
    if (r.hasReservations() && r.getReservations().getMemoryBytes() > 0) {
      host.withMemoryReservation(r.getReservations().getMemoryBytes());
    }
    if (r.hasSwapBytes()) {
      long limit = r.hasLimits() ? r.getLimits().getMemoryBytes() : 0;
      if (limit > 0) {
        host.withMemorySwap(limit + r.getSwapBytes().getValue());
      }
    }
    if (r.hasMemorySwappiness()) {
      host.withMemorySwappiness(r.getMemorySwappiness().getValue());
    }
  }

  private List<com.github.dockerjava.api.model.Mount> mounts() {
    List<com.github.dockerjava.api.model.Mount> result = new ArrayList<>();
    for (Mount m : spec.getMountsList()) {
      if (m.getType() == Mount.Type.TMPFS) {
        continue; // expressed through HostConfig.Tmpfs with its options, as upstream
      }
      com.github.dockerjava.api.model.Mount mount = new com.github.dockerjava.api.model.Mount()
          .withTarget(m.getTarget())
          .withReadOnly(m.getReadonly());
      if (!m.getSource().isEmpty()) {
        mount.withSource(m.getSource());
      }
      switch (m.getType()) {
        case BIND -> mount.withType(MountType.BIND);
        case VOLUME -> mount.withType(MountType.VOLUME);
        case NPIPE -> mount.withType(MountType.NPIPE);
        default -> throw new IllegalStateException("validated in constructor: " + m.getType());
      }
      if (m.hasBindOptions()) {
        mount.withBindOptions(new BindOptions().withPropagation(propagation(m.getBindOptions().getPropagation())));
      }
      if (m.hasVolumeOptions()) {
        Mount.VolumeOptions vo = m.getVolumeOptions();
        VolumeOptions options = new VolumeOptions().withNoCopy(vo.getNocopy());
        if (vo.getLabelsCount() > 0) {
          options.withLabels(vo.getLabelsMap());
        }
        if (vo.hasDriverConfig()) {
          options.withDriverConfig(new Driver().withName(vo.getDriverConfig().getName())
              .withOptions(vo.getDriverConfig().getOptionsMap()));
        }
        mount.withVolumeOptions(options);
      }
      result.add(mount);
    }
    return result;
  }

  private static BindPropagation propagation(Mount.BindOptions.Propagation p) {
    return switch (p) {
      case PRIVATE -> BindPropagation.PRIVATE;
      case RSHARED -> BindPropagation.R_SHARED;
      case SHARED -> BindPropagation.SHARED;
      case RSLAVE -> BindPropagation.R_SLAVE;
      case SLAVE -> BindPropagation.SLAVE;
      default -> BindPropagation.R_PRIVATE;
    };
  }

  private Map<String, String> tmpfs() {
    Map<String, String> result = new LinkedHashMap<>();
    for (Mount m : spec.getMountsList()) {
      if (m.getType() == Mount.Type.TMPFS) {
        result.put(m.getTarget(), tmpfsOptions(m));
      }
    }
    return result;
  }

  /** Tmpfs mount options: ro, mode (octal), size with the largest unit dividing it, exec/noexec. */
  static String tmpfsOptions(Mount m) {
    List<String> opts = new ArrayList<>();
    if (m.getReadonly()) {
      opts.add("ro");
    }
    if (m.hasTmpfsOptions()) {
      Mount.TmpfsOptions t = m.getTmpfsOptions();
      if (t.getMode() != 0) {
        opts.add("mode=" + Integer.toOctalString(t.getMode()));
      }
      if (t.getSizeBytes() != 0) {
        opts.add("size=" + sizeWithUnit(t.getSizeBytes()));
      }
      for (String opt : t.getOptions().toLowerCase(Locale.ROOT).split(",")) {
        if (opt.equals("exec") || opt.equals("noexec")) {
          opts.add(opt);
        }
      }
    }
    return String.join(",", opts);
  }

  static String sizeWithUnit(long size) {
    if (size % (1L << 30) == 0) {
      return (size >> 30) + "g";
    }
    if (size % (1L << 20) == 0) {
      return (size >> 20) + "m";
    }
    if (size % (1L << 10) == 0) {
      return (size >> 10) + "k";
    }
    return Long.toString(size);
  }

  /** hosts(5) lines ("IP name [aliases...]") become the engine's "name:IP" entries. */
  static List<String> extraHosts(List<String> hosts) {
    List<String> result = new ArrayList<>();
    for (String entry : hosts) {
      String[] parts = entry.trim().split("\\s+");
      for (int i = 1; i < parts.length; i++) {
        result.add(parts[i] + ":" + parts[0]);
      }
    }
    return result;
  }

  private HealthCheck healthcheck() {
    if (!spec.hasHealthcheck()) {
      return null;
    }
    HealthConfig h = spec.getHealthcheck();
    HealthCheck check = new HealthCheck().withTest(h.getTestList());
    if (h.hasInterval()) {
      check.withInterval(nanos(h.getInterval()));
    }
    if (h.hasTimeout()) {
      check.withTimeout(nanos(h.getTimeout()));
    }
    if (h.hasStartPeriod()) {
      check.withStartPeriod(nanos(h.getStartPeriod()));
    }
    if (h.hasStartInterval()) {
      check.withStartInterval(nanos(h.getStartInterval()));
    }
    if (h.getRetries() != 0) {
      check.withRetries(h.getRetries());
    }
    return check;
  }

  private static long nanos(com.google.protobuf.Duration d) {
    return d.getSeconds() * 1_000_000_000L + d.getNanos();
  }

  private static List<Capability> capabilities(List<String> names) throws ExecutorException.Rejected {
    List<Capability> result = new ArrayList<>();
    for (String name : names) {
      String bare = name.toUpperCase(Locale.ROOT);
      if (bare.startsWith("CAP_")) {
        bare = bare.substring(4);
      }
      try {
        result.add(Capability.valueOf(bare));
      } catch (IllegalArgumentException e) {
        throw new ExecutorException.Rejected("unknown capability: " + name, null);
      }
    }
    return result;
  }

  private static LogConfig logConfig(Task task) throws ExecutorException.Rejected {
    if (!task.hasLogDriver() || task.getLogDriver().getName().isEmpty()) {
      return null;
    }
    String driver = task.getLogDriver().getName();
    for (LogConfig.LoggingType type : LogConfig.LoggingType.values()) {
      if (type.getType().equals(driver)) {
        return new LogConfig(type, task.getLogDriver().getOptionsMap());
      }
    }
    throw new ExecutorException.Rejected("unsupported log driver: " + driver, null);
  }
}
