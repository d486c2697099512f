package dev.swarmkit.manager.watchapi;

import com.google.protobuf.Message;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.Extension;
import dev.swarmkit.api.IndexEntry;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Resource;
import dev.swarmkit.api.SelectBy;
import dev.swarmkit.api.SelectByCustom;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.Volume;
import dev.swarmkit.api.WatchActionKind;
import dev.swarmkit.api.WatchRequest;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Which store events a Watch stream wants, from its request entries (upstream's ConvertWatchArgs):
 * an event matches when it matches any entry; an entry names one object kind, a set of actions and
 * filters that must all hold. Filters that do not apply to the kind are ignored, as upstream.
 */
final class WatchSelector implements Predicate<StoreEvent> {

  private final List<Entry> entries;

  private WatchSelector(List<Entry> entries) {
    this.entries = entries;
  }

  /**
   * @throws IllegalArgumentException with upstream's message for an entry without kind, with
   *     conflicting filters, or without any known action
   */
  static WatchSelector of(List<WatchRequest.WatchEntry> requested) {
    List<Entry> entries = new ArrayList<>();
    for (WatchRequest.WatchEntry entry : requested) {
      entries.add(Entry.of(entry));
    }
    return new WatchSelector(entries);
  }

  @Override
  public boolean test(StoreEvent event) {
    if (event.kind() == StoreEvent.Kind.COMMIT) {
      return false;
    }
    return entries.stream().anyMatch(e -> e.matches(event));
  }

  private record Entry(Kind kind, int actions, List<Predicate<Message>> checks) {

    static Entry of(WatchRequest.WatchEntry entry) {
      if (entry.getKind().isEmpty()) {
        throw new IllegalArgumentException("no kind of object specified");
      }
      Kind kind = Kind.named(entry.getKind());
      List<Predicate<Message>> checks = new ArrayList<>();
      if (kind == Kind.RESOURCE) {
        // Any kind not known to the store names an extension: its resources are watched.
        String wanted = entry.getKind();
        checks.add(m -> ((Resource) m).getKind().equals(wanted));
      }
      Set<String> used = new HashSet<>();
      for (SelectBy filter : entry.getFiltersList()) {
        filterFor(kind, filter, used).ifPresent(checks::add);
      }
      int actions = entry.getActionValue() & (WatchActionKind.WATCH_ACTION_CREATE_VALUE
          | WatchActionKind.WATCH_ACTION_UPDATE_VALUE | WatchActionKind.WATCH_ACTION_REMOVE_VALUE);
      if (actions == 0) {
        throw new IllegalArgumentException("unrecognized action");
      }
      return new Entry(kind, actions, List.copyOf(checks));
    }

    boolean matches(StoreEvent event) {
      if (event.table() != kind.table || (actions & actionBit(event.kind())) == 0) {
        return false;
      }
      Message object = event.object();
      return checks.stream().allMatch(c -> c.test(object));
    }

    private static int actionBit(StoreEvent.Kind kind) {
      return switch (kind) {
        case CREATE -> WatchActionKind.WATCH_ACTION_CREATE_VALUE;
        case UPDATE -> WatchActionKind.WATCH_ACTION_UPDATE_VALUE;
        case DELETE -> WatchActionKind.WATCH_ACTION_REMOVE_VALUE;
        case COMMIT -> 0;
      };
    }
  }

  /** The check of one filter, registering the filter's group so a second one in it conflicts. */
  private static Optional<Predicate<Message>> filterFor(Kind kind, SelectBy filter, Set<String> used) {
    Predicate<Message> check;
    String group;
    switch (filter.getByCase()) {
      case ID -> {
        group = "id";
        check = m -> kind.id(m).equals(filter.getId());
      }
      case ID_PREFIX -> {
        group = "id";
        check = m -> kind.id(m).startsWith(filter.getIdPrefix());
      }
      case NAME -> {
        group = "name";
        check = m -> kind.name(m).map(n -> n.equals(filter.getName())).orElse(false);
      }
      case NAME_PREFIX -> {
        group = "name";
        check = m -> kind.name(m).map(n -> n.startsWith(filter.getNamePrefix())).orElse(false);
      }
      case CUSTOM -> {
        group = "custom";
        check = m -> hasIndex(kind.annotations(m), filter.getCustom(), false);
      }
      case CUSTOM_PREFIX -> {
        group = "custom";
        check = m -> hasIndex(kind.annotations(m), filter.getCustomPrefix(), true);
      }
      case SERVICE_ID -> {
        if (kind != Kind.TASK) {
          return Optional.empty();
        }
        group = "service";
        check = m -> ((Task) m).getServiceId().equals(filter.getServiceId());
      }
      case NODE_ID -> {
        if (kind != Kind.TASK) {
          return Optional.empty();
        }
        group = "node";
        check = m -> ((Task) m).getNodeId().equals(filter.getNodeId());
      }
      case SLOT -> {
        if (kind != Kind.TASK) {
          return Optional.empty();
        }
        group = "service";
        check = m -> ((Task) m).getServiceId().equals(filter.getSlot().getServiceId())
            && ((Task) m).getSlot() == filter.getSlot().getSlot();
      }
      case DESIRED_STATE -> {
        if (kind != Kind.TASK) {
          return Optional.empty();
        }
        group = "desired_state";
        check = m -> ((Task) m).getDesiredState() == filter.getDesiredState();
      }
      case ROLE -> {
        if (kind != Kind.NODE) {
          return Optional.empty();
        }
        group = "role";
        check = m -> ((Node) m).getRole() == filter.getRole();
      }
      case MEMBERSHIP -> {
        if (kind != Kind.NODE) {
          return Optional.empty();
        }
        group = "membership";
        check = m -> ((Node) m).getSpec().getMembership() == filter.getMembership();
      }
      default -> {
        return Optional.empty();
      }
    }
    if (!used.add(group)) {
      throw new IllegalArgumentException("conflicting filters specified");
    }
    return Optional.of(check);
  }

  private static boolean hasIndex(Annotations annotations, SelectByCustom wanted, boolean prefix) {
    for (IndexEntry index : annotations.getIndicesList()) {
      if (index.getKey().equals(wanted.getIndex())
          && (prefix ? index.getVal().startsWith(wanted.getValue()) : index.getVal().equals(wanted.getValue()))) {
        return true;
      }
    }
    return false;
  }

  /** The watchable object kinds, with where each keeps its name and annotations. */
  private enum Kind {
    NODE(Table.NODES, m -> ((Node) m).hasDescription()
        ? Optional.of(((Node) m).getDescription().getHostname()) : Optional.empty(),
        m -> ((Node) m).getSpec().getAnnotations()),
    SERVICE(Table.SERVICES, m -> ((Service) m).getSpec().getAnnotations()),
    TASK(Table.TASKS, m -> ((Task) m).getAnnotations()),
    NETWORK(Table.NETWORKS, m -> ((Network) m).getSpec().getAnnotations()),
    CLUSTER(Table.CLUSTERS, m -> ((Cluster) m).getSpec().getAnnotations()),
    SECRET(Table.SECRETS, m -> ((Secret) m).getSpec().getAnnotations()),
    CONFIG(Table.CONFIGS, m -> ((Config) m).getSpec().getAnnotations()),
    EXTENSION(Table.EXTENSIONS, m -> ((Extension) m).getAnnotations()),
    VOLUME(Table.VOLUMES, m -> ((Volume) m).getSpec().getAnnotations()),
    RESOURCE(Table.RESOURCES, m -> ((Resource) m).getAnnotations());

    private final Table<? extends Message> table;
    private final Function<Message, Optional<String>> name;
    private final Function<Message, Annotations> annotations;

    Kind(Table<? extends Message> table, Function<Message, Annotations> annotations) {
      this(table, m -> Optional.of(annotations.apply(m).getName()), annotations);
    }

    Kind(Table<? extends Message> table, Function<Message, Optional<String>> name,
        Function<Message, Annotations> annotations) {
      this.table = table;
      this.name = name;
      this.annotations = annotations;
    }

    static Kind named(String name) {
      for (Kind kind : values()) {
        if (kind != RESOURCE && kind.table.name().equals(name)) {
          return kind;
        }
      }
      return RESOURCE;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    String id(Message m) {
      return ((Table) table).idOf(m);
    }

    Optional<String> name(Message m) {
      return name.apply(m);
    }

    Annotations annotations(Message m) {
      return annotations.apply(m);
    }
  }
}
