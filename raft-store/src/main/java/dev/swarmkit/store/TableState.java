package dev.swarmkit.store;

import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/**
 * One table's objects and secondary indexes as persistent (immutable, structurally shared) sorted
 * collections: a change returns a new state in O(indexes * log n) and never disturbs readers of the
 * old one.
 *
 * <p>Each secondary index maps a key to the sorted set of the IDs of the objects with that key, so an
 * exact key yields its IDs in order and a key prefix is the key range {@code [prefix, prefix\uffff)}.
 * (An earlier layout, one sorted set of {@code key + '\0' + id} strings, compared the shared key
 * prefix at every level of the tree: a task's service ID, 25 characters, on every insert.)
 */
final class TableState {

  private final TableSchema schema;
  private final TreePMap<String, Message> objects;
  private final TreePMap<String, TreePSet<String>>[] indexes;

  private TableState(TableSchema schema, TreePMap<String, Message> objects, TreePMap<String, TreePSet<String>>[] indexes) {
    this.schema = schema;
    this.objects = objects;
    this.indexes = indexes;
  }

  @SuppressWarnings("unchecked")
  static TableState empty(TableSchema schema) {
    TreePMap<String, TreePSet<String>>[] indexes = new TreePMap[IndexKind.values().length];
    for (IndexKind kind : schema.indexes.keySet()) {
      indexes[kind.ordinal()] = TreePMap.empty();
    }
    return new TableState(schema, TreePMap.empty(), indexes);
  }

  Message get(String id) {
    return objects.get(id);
  }

  int size() {
    return objects.size();
  }

  Collection<Message> all() {
    return objects.values();
  }

  /** Inserts or replaces the object with {@code id}. */
  TableState put(String id, Message object) {
    Message old = objects.get(id);
    TreePMap<String, TreePSet<String>>[] next = indexes.clone();
    for (Map.Entry<IndexKind, Function<Message, List<String>>> e : schema.indexes.entrySet()) {
      int i = e.getKey().ordinal();
      List<String> newKeys = e.getValue().apply(object);
      if (old != null) {
        List<String> oldKeys = e.getValue().apply(old);
        if (oldKeys.equals(newKeys)) {
          continue; // the common case (e.g. a task status change) touches few indexes
        }
        for (String k : oldKeys) {
          next[i] = without(next[i], k, id);
        }
      }
      for (String k : newKeys) {
        next[i] = with(next[i], k, id);
      }
    }
    return new TableState(schema, objects.plus(id, object), next);
  }

  /** Swaps the object with {@code id} for one whose index keys are the same; indexes are kept. */
  TableState replaceObject(String id, Message object) {
    return new TableState(schema, objects.plus(id, object), indexes);
  }

  TableState remove(String id) {
    Message old = objects.get(id);
    if (old == null) {
      return this;
    }
    TreePMap<String, TreePSet<String>>[] next = indexes.clone();
    for (Map.Entry<IndexKind, Function<Message, List<String>>> e : schema.indexes.entrySet()) {
      int i = e.getKey().ordinal();
      for (String k : e.getValue().apply(old)) {
        next[i] = without(next[i], k, id);
      }
    }
    return new TableState(schema, objects.minus(id), next);
  }

  private static TreePMap<String, TreePSet<String>> with(TreePMap<String, TreePSet<String>> index, String key,
      String id) {
    TreePSet<String> ids = index.get(key);
    return index.plus(key, ids == null ? TreePSet.singleton(id) : ids.plus(id));
  }

  private static TreePMap<String, TreePSet<String>> without(TreePMap<String, TreePSet<String>> index, String key,
      String id) {
    TreePSet<String> ids = index.get(key);
    if (ids == null) {
      return index;
    }
    TreePSet<String> rest = ids.minus(id);
    if (rest == ids) {
      return index; // the ID was not under this key (pcollections returns the set itself)
    }
    return rest.isEmpty() ? index.minus(key) : index.plus(key, rest);
  }

  /** The objects matching {@code by}, ordered by ID. */
  List<Message> find(By by) {
    if (by instanceof By.All) {
      return new ArrayList<>(objects.values());
    }
    if (by instanceof By.IdPrefix p) {
      return new ArrayList<>(objects.subMap(p.prefix(), p.prefix() + '\uffff').values());
    }
    // One exact key yields IDs already sorted and distinct (entries sort by key, then ID); prefixes
    // and unions can interleave or repeat them.
    boolean sorted = !(by instanceof By.Or || by instanceof By.NamePrefix || by instanceof By.CustomPrefix);
    Collection<String> ids = sorted ? new ArrayList<>() : new TreeSet<>();
    collect(by, ids);
    List<Message> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      Message m = objects.get(id);
      if (m != null) { // indexes and objects change together; kept defensive
        out.add(m);
      }
    }
    return out;
  }

  private void collect(By by, Collection<String> ids) {
    // Java 17: no pattern switch, so a chain of instanceof over the sealed By hierarchy.
    if (by instanceof By.All) {
      ids.addAll(objects.keySet());
    } else if (by instanceof By.IdPrefix p) {
      ids.addAll(objects.subMap(p.prefix(), p.prefix() + '\uffff').keySet());
    } else if (by instanceof By.Name n) {
      exact(IndexKind.NAME, TableSchema.nameKey(n.name()), ids);
    } else if (by instanceof By.NamePrefix p) {
      prefix(IndexKind.NAME, TableSchema.nameKey(p.prefix()), ids);
    } else if (by instanceof By.ServiceId s) {
      exact(IndexKind.SERVICE_ID, s.serviceId(), ids);
    } else if (by instanceof By.NodeId n) {
      exact(IndexKind.NODE_ID, n.nodeId(), ids);
    } else if (by instanceof By.Slot s) {
      exact(IndexKind.SLOT, TableSchema.slotKey(s.serviceId(), s.slot()), ids);
    } else if (by instanceof By.DesiredState d) {
      exact(IndexKind.DESIRED_STATE, Integer.toString(d.state().getNumber()), ids);
    } else if (by instanceof By.ObservedState o) {
      exact(IndexKind.TASK_STATE, Integer.toString(o.state().getNumber()), ids);
    } else if (by instanceof By.Role r) {
      exact(IndexKind.ROLE, Integer.toString(r.role().getNumber()), ids);
    } else if (by instanceof By.Membership m) {
      exact(IndexKind.MEMBERSHIP, Integer.toString(m.membership().getNumber()), ids);
    } else if (by instanceof By.ReferencedNetworkId n) {
      exact(IndexKind.NETWORK, n.networkId(), ids);
    } else if (by instanceof By.ReferencedSecretId s) {
      exact(IndexKind.SECRET, s.secretId(), ids);
    } else if (by instanceof By.ReferencedConfigId c) {
      exact(IndexKind.CONFIG, c.configId(), ids);
    } else if (by instanceof By.Kind k) {
      exact(IndexKind.KIND, k.kind(), ids);
    } else if (by instanceof By.Runtime r) {
      exact(IndexKind.RUNTIME, r.runtime(), ids);
    } else if (by instanceof By.VolumeAttachment v) {
      exact(IndexKind.VOLUME_ATTACHMENT, v.volumeId(), ids);
    } else if (by instanceof By.VolumeGroup g) {
      exact(IndexKind.VOLUME_GROUP, g.group(), ids);
    } else if (by instanceof By.Driver d) {
      exact(IndexKind.DRIVER, d.driver(), ids);
    } else if (by instanceof By.Custom c) {
      exact(IndexKind.CUSTOM, TableSchema.customKey(c.index(), c.value()), ids);
    } else if (by instanceof By.CustomPrefix c) {
      prefix(IndexKind.CUSTOM, TableSchema.customKey(c.index(), c.prefix()), ids);
    } else if (by instanceof By.Or or) {
      or.selectors().forEach(s -> collect(s, ids));
    } else {
      throw new IllegalArgumentException("unsupported selector " + by);
    }
  }

  private TreePMap<String, TreePSet<String>> index(IndexKind kind) {
    TreePMap<String, TreePSet<String>> index = indexes[kind.ordinal()];
    if (index == null) {
      throw new IllegalArgumentException(
          "invalid find argument: " + schema.table.name() + " has no " + kind.name().toLowerCase() + " index");
    }
    return index;
  }

  private void exact(IndexKind kind, String key, Collection<String> ids) {
    Function<Message, List<String>> keys = schema.scanned.get(kind);
    if (keys != null) {
      objects.forEach((id, object) -> {
        if (keys.apply(object).contains(key)) {
          ids.add(id);
        }
      });
      return;
    }
    TreePSet<String> withKey = index(kind).get(key);
    if (withKey != null) {
      ids.addAll(withKey);
    }
  }

  private void prefix(IndexKind kind, String prefix, Collection<String> ids) {
    for (TreePSet<String> withKey : index(kind).subMap(prefix, prefix + '\uffff').values()) {
      ids.addAll(withKey);
    }
  }
}
