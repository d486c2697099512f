package dev.swarmkit.manager.controlapi;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.EndpointSpec;
import dev.swarmkit.api.GenericRuntimeSpec;
import dev.swarmkit.api.HealthConfig;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Privileges;
import dev.swarmkit.api.ResourceRequirements;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.UpdateConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The self-contained checks of a service spec (upstream's validateServiceSpec): everything that can
 * be decided without reading the store. Each failure is a status exception with upstream's message.
 */
final class ServiceSpecValidator {

  private static final java.time.Duration MINIMUM_DURATION = java.time.Duration.ofMillis(1);
  private static final long MIN_NANO_CPUS = 1_000_000;
  private static final long MIN_MEMORY_BYTES = 4L * 1024 * 1024;

  private ServiceSpecValidator() {}

  static void validate(ServiceSpec spec) {
    Names.validateAnnotations(spec.getAnnotations());
    Protos.requireValidDurations(spec);
    validateTaskSpec(spec.getTask());
    validateMode(spec);
    if (isJob(spec)) {
      if (spec.hasUpdate()) {
        throw ApiErrors.invalidArgument("Jobs may not have an update config");
      }
    } else if (spec.hasUpdate()) {
      validateUpdate(spec.getUpdate());
    }
    if (spec.hasEndpoint()) {
      validateEndpoint(spec.getEndpoint());
    }
  }

  static boolean isJob(ServiceSpec spec) {
    return spec.getModeCase() == ServiceSpec.ModeCase.REPLICATED_JOB
        || spec.getModeCase() == ServiceSpec.ModeCase.GLOBAL_JOB;
  }

  private static void validateTaskSpec(TaskSpec task) {
    if (task.hasResources()) {
      validateResourceRequirements(task.getResources());
    }
    if (task.hasRestart()) {
      validateRestartPolicy(task.getRestart());
    }
    if (task.hasPlacement()) {
      ConstraintSyntax.check(task.getPlacement().getConstraintsList());
    }
    if (task.hasContainer()) {
      validateSecretReferences(task.getContainer());
      validateConfigReferences(task.getContainer());
    }
    switch (task.getRuntimeCase()) {
      case RUNTIME_NOT_SET -> throw ApiErrors.invalidArgument("TaskSpec: missing runtime");
      case CONTAINER -> validateContainer(task.getContainer());
      case GENERIC -> validateGeneric(task.getGeneric());
      default -> throw ApiErrors.unimplemented("RuntimeSpec: unimplemented runtime in service spec");
    }
  }

  private static void validateResourceRequirements(ResourceRequirements requirements) {
    if (requirements.hasLimits()) {
      validateResources(requirements.getLimits());
    }
    if (requirements.hasReservations()) {
      validateResources(requirements.getReservations());
    }
  }

  private static void validateResources(Resources resources) {
    long cpus = resources.getNanoCpus();
    if (cpus != 0 && cpus < MIN_NANO_CPUS) {
      throw ApiErrors.invalidArgument("invalid cpu value %s: Must be at least %s",
          GoFormat.g(cpus / 1e9), GoFormat.g(MIN_NANO_CPUS / 1e9));
    }
    long memory = resources.getMemoryBytes();
    if (memory != 0 && memory < MIN_MEMORY_BYTES) {
      throw ApiErrors.invalidArgument("invalid memory value %d: Must be at least 4MiB", memory);
    }
  }

  private static void validateRestartPolicy(RestartPolicy policy) {
    if (policy.hasDelay() && Protos.isNegative(policy.getDelay())) {
      throw ApiErrors.invalidArgument("TaskSpec: restart-delay cannot be negative");
    }
    if (policy.hasWindow() && Protos.isNegative(policy.getWindow())) {
      throw ApiErrors.invalidArgument("TaskSpec: restart-window cannot be negative");
    }
  }

  private static void validateUpdate(UpdateConfig update) {
    if (update.hasDelay() && Protos.isNegative(update.getDelay())) {
      throw ApiErrors.invalidArgument("TaskSpec: update-delay cannot be negative");
    }
    if (update.hasMonitor() && Protos.isNegative(update.getMonitor())) {
      throw ApiErrors.invalidArgument("TaskSpec: update-monitor cannot be negative");
    }
    if (update.getMaxFailureRatio() < 0 || update.getMaxFailureRatio() > 1) {
      throw ApiErrors.invalidArgument(
          "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1");
    }
  }

  private static void validateContainer(ContainerSpec container) {
    String image = container.getImage();
    if (image.isEmpty()) {
      throw ApiErrors.invalidArgument("ContainerSpec: image reference must be provided");
    }
    // Images are never templated (only env, mounts and hostname are), so the literal must parse.
    if (!ImageReference.isValid(image)) {
      throw ApiErrors.invalidArgument("ContainerSpec: \"%s\" is not a valid repository/tag", image);
    }
    Set<String> targets = new HashSet<>();
    for (Mount mount : container.getMountsList()) {
      if (!targets.add(mount.getTarget())) {
        throw ApiErrors.invalidArgument("ContainerSpec: duplicate mount point: %s", mount.getTarget());
      }
    }
    if (container.hasHealthcheck()) {
      validateHealthCheck(container.getHealthcheck());
    }
  }

  private static void validateHealthCheck(HealthConfig health) {
    checkHealthDuration(health.hasInterval(), health.getInterval(), "Interval");
    checkHealthDuration(health.hasTimeout(), health.getTimeout(), "Timeout");
    checkHealthDuration(health.hasStartPeriod(), health.getStartPeriod(), "StartPeriod");
    checkHealthDuration(health.hasStartInterval(), health.getStartInterval(), "StartInterval");
    if (health.getRetries() < 0) {
      throw ApiErrors.invalidArgument("ContainerSpec: Retries in HealthConfig cannot be negative");
    }
  }

  private static void checkHealthDuration(boolean present, Duration value, String field) {
    if (!present) {
      return;
    }
    java.time.Duration duration = Protos.duration(value);
    if (!duration.isZero() && duration.compareTo(MINIMUM_DURATION) < 0) {
      throw ApiErrors.invalidArgument("ContainerSpec: %s in HealthConfig cannot be less than %s",
          field, dev.swarmkit.api.util.GoDurations.format(MINIMUM_DURATION));
    }
  }

  private static void validateGeneric(GenericRuntimeSpec generic) {
    String kind = generic.getKind();
    if (kind.length() < 3) {
      throw ApiErrors.invalidArgument("Generic runtime: Invalid name \"%s\"", kind);
    }
    String lower = kind.toLowerCase(Locale.ROOT);
    if (lower.equals("container") || lower.equals("attachment")) {
      throw ApiErrors.invalidArgument("Generic runtime: \"%s\" is a reserved name", kind);
    }
    if (!generic.hasPayload()) {
      throw ApiErrors.invalidArgument("Generic runtime is missing payload");
    }
    Any payload = generic.getPayload();
    if (payload.getTypeUrl().isEmpty()) {
      throw ApiErrors.invalidArgument("Generic runtime is missing payload type");
    }
    if (payload.getValue().isEmpty()) {
      throw ApiErrors.invalidArgument("Generic runtime has an empty payload");
    }
  }

  private static void validateSecretReferences(ContainerSpec container) {
    Map<String, String> targets = new HashMap<>();
    for (SecretReference ref : container.getSecretsList()) {
      if (ref.getSecretId().isEmpty() || ref.getSecretName().isEmpty()) {
        throw ApiErrors.invalidArgument("malformed secret reference");
      }
      if (ref.getTargetCase() == SecretReference.TargetCase.TARGET_NOT_SET) {
        throw ApiErrors.invalidArgument("malformed secret reference, no target provided");
      }
      if (ref.hasFile()) {
        String file = ref.getFile().getName();
        if (file.isEmpty()) {
          throw ApiErrors.invalidArgument(
              "malformed file secret reference, invalid target file name provided");
        }
        String previous = targets.putIfAbsent(file, ref.getSecretName());
        if (previous != null) {
          throw ApiErrors.invalidArgument("secret references '%s' and '%s' have a conflicting target: '%s'",
              previous, ref.getSecretName(), file);
        }
      }
    }
  }

  private static void validateConfigReferences(ContainerSpec container) {
    String credentialSpecConfig = "";
    if (container.hasPrivileges() && container.getPrivileges().hasCredentialSpec()) {
      Privileges.CredentialSpec credentialSpec = container.getPrivileges().getCredentialSpec();
      credentialSpecConfig = credentialSpec.getConfig();
    }
    boolean credentialSpecConfigFound = false;
    Map<String, String> targets = new HashMap<>();
    for (ConfigReference ref : container.getConfigsList()) {
      if (ref.getConfigId().isEmpty() || ref.getConfigName().isEmpty()) {
        throw ApiErrors.invalidArgument("malformed config reference");
      }
      if (ref.getTargetCase() == ConfigReference.TargetCase.TARGET_NOT_SET) {
        throw ApiErrors.invalidArgument("malformed config reference, no target provided");
      }
      if (ref.hasFile()) {
        String file = ref.getFile().getName();
        if (file.isEmpty()) {
          throw ApiErrors.invalidArgument(
              "malformed file config reference, invalid target file name provided");
        }
        String previous = targets.putIfAbsent(file, ref.getConfigName());
        if (previous != null) {
          throw ApiErrors.invalidArgument("config references '%s' and '%s' have a conflicting target: '%s'",
              previous, ref.getConfigName(), file);
        }
      }
      if (ref.hasRuntime() && ref.getConfigId().equals(credentialSpecConfig)) {
        credentialSpecConfigFound = true;
      }
    }
    if (!credentialSpecConfig.isEmpty() && !credentialSpecConfigFound) {
      throw ApiErrors.invalidArgument("CredentialSpec references config '%s', but that config isn't "
          + "in config references with RuntimeTarget", credentialSpecConfig);
    }
  }

  private static void validateMode(ServiceSpec spec) {
    switch (spec.getModeCase()) {
      case REPLICATED -> {
        if (spec.getReplicated().getReplicas() < 0) {
          throw ApiErrors.invalidArgument("Number of replicas must be non-negative");
        }
      }
      case REPLICATED_JOB -> {
        if (spec.getReplicatedJob().getMaxConcurrent() < 0) {
          throw ApiErrors.invalidArgument("Maximum concurrent jobs must not be negative");
        }
        if (spec.getReplicatedJob().getTotalCompletions() < 0) {
          throw ApiErrors.invalidArgument("Total completed jobs must not be negative");
        }
      }
      case GLOBAL, GLOBAL_JOB -> { }
      default -> throw ApiErrors.invalidArgument("Unrecognized service mode");
    }
  }

  private static void validateEndpoint(EndpointSpec endpoint) {
    record PublishedPort(int port, PortConfig.Protocol protocol) {}
    Set<PublishedPort> seen = new HashSet<>();
    for (PortConfig port : endpoint.getPortsList()) {
      // Routing-mesh (ingress) publishing relies on a VIP; DNS round robin cannot provide one.
      if (endpoint.getMode() == EndpointSpec.ResolutionMode.DNSRR
          && port.getPublishMode() == PortConfig.PublishMode.INGRESS) {
        throw ApiErrors.invalidArgument(
            "EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
      }
      if (port.getPublishedPort() == 0) {
        continue;
      }
      if (!seen.add(new PublishedPort(port.getPublishedPort(), port.getProtocol()))) {
        throw ApiErrors.invalidArgument("EndpointSpec: duplicate published ports provided");
      }
    }
  }
}
