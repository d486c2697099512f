package dev.swarmkit.manager.allocator;

import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.PortConfig.PublishMode;
import dev.swarmkit.api.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Published ports of services (upstream manager/allocator/portallocator.go). Ingress-mode ports are
 * taken from one cluster-wide space per protocol: an explicit published port must be free, an unset
 * one gets the next free port of 30000-32767. Host-mode ports are copied as they are: they are only
 * unique per node, which the scheduler's host-port filter enforces. Allocations are sticky: a
 * service keeps its dynamic ports across spec updates and leader changes.
 */
final class PortAllocator {

  private final Map<PortConfig.Protocol, PortSpace> spaces = new HashMap<>();

  /** What identifies a port within one endpoint: name, protocol and target port. */
  private record Key(String name, PortConfig.Protocol protocol, int target) {
    static Key of(PortConfig p) {
      return new Key(p.getName(), p.getProtocol(), p.getTargetPort());
    }
  }

  /** Port states by key and published port (upstream allocatedPorts). */
  private static final class States {
    private final Map<Key, Map<Integer, PortConfig>> byKey = new HashMap<>();

    void add(PortConfig p) {
      byKey.computeIfAbsent(Key.of(p), k -> new LinkedHashMap<>()).put(p.getPublishedPort(), p);
    }

    /** Removes and returns the state matching {@code p}: by published port, or any non-zero one. */
    PortConfig remove(PortConfig p) {
      Map<Integer, PortConfig> states = byKey.get(Key.of(p));
      if (states == null) {
        return null;
      }
      if (p.getPublishedPort() != 0) {
        return states.remove(p.getPublishedPort());
      }
      for (Iterator<Map.Entry<Integer, PortConfig>> it = states.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<Integer, PortConfig> e = it.next();
        if (e.getKey() != 0) {
          it.remove();
          return e.getValue();
        }
      }
      return null;
    }
  }

  private PortSpace space(PortConfig.Protocol protocol) {
    return spaces.computeIfAbsent(protocol, p -> new PortSpace());
  }

  /**
   * The service's port states for its current spec, taking ingress ports from the spaces; the
   * service's previous ingress ports are released first. On failure nothing stays taken.
   */
  List<PortConfig> allocate(Service s) throws AllocationException {
    if (!s.getSpec().hasEndpoint()) {
      deallocate(s);
      return List.of();
    }
    List<PortConfig> configs = reconcile(s);
    deallocate(s);
    List<PortConfig> states = new ArrayList<>();
    try {
      for (PortConfig config : configs) {
        PortConfig state = config;
        if (config.getPublishMode() == PublishMode.INGRESS) {
          if (config.getPublishedPort() != 0) {
            space(config.getProtocol()).take(config.getPublishedPort());
          } else {
            state = config.toBuilder().setPublishedPort(space(config.getProtocol()).takeDynamic()).build();
          }
        }
        states.add(state);
      }
    } catch (AllocationException e) {
      release(states);
      throw e;
    }
    return states;
  }

  /** Releases the service's allocated ingress ports. */
  void deallocate(Service s) {
    release(s.getEndpoint().getPortsList());
  }

  private void release(List<PortConfig> states) {
    for (PortConfig state : states) {
      if (state.getPublishMode() == PublishMode.INGRESS) {
        space(state.getProtocol()).release(state.getPublishedPort());
      }
    }
  }

  boolean isTaken(PortConfig.Protocol protocol, int port) {
    return space(protocol).isTaken(port);
  }

  /**
   * Spec ports merged with the current states so that a port without a published port keeps the one
   * it got before (upstream reconcilePortConfigs).
   */
  private static List<PortConfig> reconcile(Service s) {
    List<PortConfig> spec = s.getSpec().getEndpoint().getPortsList();
    if (!s.hasEndpoint() || spec.size() != s.getEndpoint().getPortsCount()) {
      return spec;
    }
    States states = new States();
    for (PortConfig state : s.getEndpoint().getPortsList()) {
      if (state.getPublishMode() == PublishMode.INGRESS) {
        states.add(state);
      }
    }
    List<PortConfig> result = new ArrayList<>();
    for (PortConfig config : spec) {
      if (config.getPublishMode() != PublishMode.INGRESS) {
        result.add(config);
      } else if (config.getPublishedPort() != 0) {
        states.remove(config);
        result.add(config);
      }
    }
    for (PortConfig config : spec) {
      if (config.getPublishMode() == PublishMode.INGRESS && config.getPublishedPort() == 0) {
        PortConfig state = states.remove(config);
        result.add(state != null ? state : config);
      }
    }
    return result;
  }

  /**
   * Whether the service's port states match its spec (upstream isPortsAllocatedOnInit). With
   * {@code onInit}, dynamic ports count as unallocated so that a new leader takes them again.
   */
  boolean isAllocated(Service s, boolean onInit) {
    boolean specHasPorts = s.getSpec().hasEndpoint() && s.getSpec().getEndpoint().getPortsCount() > 0;
    boolean stateHasPorts = s.hasEndpoint() && s.getEndpoint().getPortsCount() > 0;
    if (!specHasPorts && !stateHasPorts) {
      return true;
    }
    List<PortConfig> spec = s.getSpec().getEndpoint().getPortsList();
    if (spec.size() != s.getEndpoint().getPortsCount()) {
      return false;
    }
    States states = new States();
    Set<Integer> hostTargets = new HashSet<>();
    for (PortConfig state : s.getEndpoint().getPortsList()) {
      if (state.getPublishMode() == PublishMode.INGRESS) {
        states.add(state);
      } else if (state.getPublishMode() == PublishMode.HOST) {
        hostTargets.add(state.getTargetPort());
      }
    }
    for (PortConfig config : spec) {
      if (config.getPublishMode() == PublishMode.INGRESS && config.getPublishedPort() != 0
          && states.remove(config) == null) {
        return false;
      }
    }
    for (PortConfig config : spec) {
      if (config.getPublishMode() == PublishMode.INGRESS) {
        if (config.getPublishedPort() == 0 && (states.remove(config) == null || onInit)) {
          return false;
        }
      } else if (config.getPublishMode() == PublishMode.HOST && !hostTargets.contains(config.getTargetPort())) {
        return false;
      }
    }
    return true;
  }

  /** Whether a host-mode port of the spec differs from the states (upstream hostPublishPortsNeedUpdate). */
  boolean hostPortsNeedUpdate(Service s) {
    States states = new States();
    for (PortConfig state : s.getEndpoint().getPortsList()) {
      if (state.getPublishMode() == PublishMode.HOST) {
        states.add(state);
      }
    }
    for (PortConfig config : s.getSpec().getEndpoint().getPortsList()) {
      if (config.getPublishMode() == PublishMode.HOST && config.getPublishedPort() != 0
          && states.remove(config) == null) {
        return true;
      }
    }
    return false;
  }
}
