package dev.swarmkit.scheduler;

import dev.swarmkit.api.DiscreteGenericResource;
import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.NamedGenericResource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Accounting of generic resources (upstream's genericresource package): a node advertises discrete
 * amounts ("gpu"=2) or named instances ("gpu"="UUID1", "UUID2"); a task reserves a discrete count of
 * a kind and is assigned either that amount or that many named instances. Lists passed as {@code
 * available} are mutable working copies owned by the caller.
 */
final class GenericResources {

  private GenericResources() {}

  static String kind(GenericResource r) {
    return r.hasDiscreteResourceSpec() ? r.getDiscreteResourceSpec().getKind()
        : r.getNamedResourceSpec().getKind();
  }

  static GenericResource discrete(String kind, long value) {
    return GenericResource.newBuilder()
        .setDiscreteResourceSpec(DiscreteGenericResource.newBuilder().setKind(kind).setValue(value))
        .build();
  }

  static GenericResource named(String kind, String value) {
    return GenericResource.newBuilder()
        .setNamedResourceSpec(NamedGenericResource.newBuilder().setKind(kind).setValue(value))
        .build();
  }

  static List<GenericResource> ofKind(String kind, List<GenericResource> resources) {
    List<GenericResource> out = new ArrayList<>();
    for (GenericResource r : resources) {
      if (kind(r).equals(kind)) {
        out.add(r);
      }
    }
    return out;
  }

  /** Whether {@code available} can satisfy one task reservation (which must be discrete). */
  static boolean hasEnough(List<GenericResource> available, GenericResource reservation) {
    if (!reservation.hasDiscreteResourceSpec()) {
      return false;
    }
    DiscreteGenericResource wanted = reservation.getDiscreteResourceSpec();
    List<GenericResource> ofKind = ofKind(wanted.getKind(), available);
    if (ofKind.isEmpty()) {
      return false;
    }
    GenericResource first = ofKind.get(0);
    if (first.hasDiscreteResourceSpec()) {
      return wanted.getValue() <= first.getDiscreteResourceSpec().getValue();
    }
    return wanted.getValue() <= ofKind.size();
  }

  /**
   * Picks resources for {@code reservations} out of {@code available}, removes them from it and
   * returns what the task was assigned.
   */
  static List<GenericResource> claim(List<GenericResource> available, List<GenericResource> reservations) {
    List<GenericResource> selected = new ArrayList<>();
    for (GenericResource reservation : reservations) {
      if (!reservation.hasDiscreteResourceSpec()) {
        return List.of(); // tasks only reserve discrete amounts; the control API rejects others
      }
      selected.addAll(select(available, reservation.getDiscreteResourceSpec()));
    }
    consume(available, selected);
    return selected;
  }

  private static List<GenericResource> select(List<GenericResource> available, DiscreteGenericResource wanted) {
    List<GenericResource> picked = new ArrayList<>();
    for (GenericResource r : available) {
      if (!kind(r).equals(wanted.getKind())) {
        continue;
      }
      if (r.hasDiscreteResourceSpec()) {
        if (r.getDiscreteResourceSpec().getValue() >= wanted.getValue() && wanted.getValue() != 0) {
          picked.add(discrete(wanted.getKind(), wanted.getValue()));
        }
        return picked;
      }
      picked.add(r);
      if (picked.size() == wanted.getValue()) {
        return picked;
      }
    }
    return picked;
  }

  /** Removes {@code used} from {@code available}: discrete amounts are subtracted, named ones dropped. */
  static void consume(List<GenericResource> available, List<GenericResource> used) {
    if (used.isEmpty()) {
      return;
    }
    List<GenericResource> kept = new ArrayList<>(available.size());
    for (GenericResource have : available) {
      GenericResource current = have;
      boolean removed = false;
      for (GenericResource u : used) {
        if (!kind(current).equals(kind(u))) {
          continue;
        }
        if (u.hasDiscreteResourceSpec()) {
          if (!current.hasDiscreteResourceSpec()) {
            continue; // the node changed the resource's type; nothing to take
          }
          long left = current.getDiscreteResourceSpec().getValue() - u.getDiscreteResourceSpec().getValue();
          if (left <= 0) {
            removed = true;
            break;
          }
          current = discrete(kind(current), left);
        } else if (current.hasNamedResourceSpec()
            && current.getNamedResourceSpec().getValue().equals(u.getNamedResourceSpec().getValue())) {
          removed = true;
          break;
        }
      }
      if (!removed) {
        kept.add(current);
      }
    }
    available.clear();
    available.addAll(kept);
  }

  /**
   * Returns a task's assigned resources to {@code available}, then drops anything the node no longer
   * advertises in {@code nodeResources} (the operator may have changed them).
   */
  static void reclaim(List<GenericResource> available, List<GenericResource> assigned,
      List<GenericResource> nodeResources) {
    for (GenericResource r : assigned) {
      if (r.hasDiscreteResourceSpec()) {
        List<GenericResource> same = ofKind(kind(r), available);
        if (same.isEmpty()) {
          available.add(r);
          continue;
        }
        if (same.size() != 1 || !same.get(0).hasDiscreteResourceSpec()) {
          continue; // type changed
        }
        int at = available.indexOf(same.get(0));
        available.set(at, discrete(kind(r),
            same.get(0).getDiscreteResourceSpec().getValue() + r.getDiscreteResourceSpec().getValue()));
      } else {
        available.add(r);
      }
    }
    sanitize(nodeResources, available);
  }

  private static void sanitize(List<GenericResource> nodeResources, List<GenericResource> available) {
    List<GenericResource> kept = new ArrayList<>();
    List<GenericResource> replacements = new ArrayList<>();
    Set<String> kindsReset = new HashSet<>();
    for (GenericResource have : available) {
      List<GenericResource> advertised = ofKind(kind(have), nodeResources);
      if (isSane(have, advertised)) {
        kept.add(have);
      } else if (kindsReset.add(kind(have))) {
        replacements.addAll(saneReplacement(have, advertised));
      }
    }
    available.clear();
    available.addAll(kept);
    available.addAll(replacements);
  }

  private static boolean isSane(GenericResource have, List<GenericResource> advertised) {
    if (have.hasDiscreteResourceSpec()) {
      return advertised.size() == 1 && advertised.get(0).hasDiscreteResourceSpec()
          && have.getDiscreteResourceSpec().getValue() <= advertised.get(0).getDiscreteResourceSpec().getValue();
    }
    for (GenericResource a : advertised) {
      if (a.hasDiscreteResourceSpec()) {
        return false;
      }
      if (a.getNamedResourceSpec().getValue().equals(have.getNamedResourceSpec().getValue())) {
        return true;
      }
    }
    return false;
  }

  // An insane discrete entry resets to what the node advertises; a removed named one disappears.
  private static List<GenericResource> saneReplacement(GenericResource have, List<GenericResource> advertised) {
    if (have.hasNamedResourceSpec()) {
      boolean typeChanged = advertised.stream().anyMatch(GenericResource::hasDiscreteResourceSpec);
      return advertised.isEmpty() || typeChanged ? advertised : List.of();
    }
    return advertised;
  }
}
