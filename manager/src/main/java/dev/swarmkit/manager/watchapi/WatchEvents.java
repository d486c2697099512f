package dev.swarmkit.manager.watchapi;

import com.google.protobuf.Message;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.Extension;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Object;
import dev.swarmkit.api.Resource;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.Volume;
import dev.swarmkit.api.WatchActionKind;
import dev.swarmkit.api.WatchMessage;
import dev.swarmkit.store.StoreEvent;

/** Conversion of store events into Watch API events. */
final class WatchEvents {

  private WatchEvents() {}

  /** The API event for a create, update or delete; the old object only for updates, when asked. */
  static WatchMessage.Event toEvent(StoreEvent event, boolean includeOldObject) {
    WatchMessage.Event.Builder out = WatchMessage.Event.newBuilder();
    switch (event.kind()) {
      case CREATE -> out.setAction(WatchActionKind.WATCH_ACTION_CREATE);
      case UPDATE -> out.setAction(WatchActionKind.WATCH_ACTION_UPDATE);
      case DELETE -> out.setAction(WatchActionKind.WATCH_ACTION_REMOVE);
      case COMMIT -> throw new IllegalArgumentException("commit events carry no object");
    }
    out.setObject(wrap(event.object()));
    if (includeOldObject && event.kind() == StoreEvent.Kind.UPDATE && event.oldObject() != null) {
      out.setOldObject(wrap(event.oldObject()));
    }
    return out.build();
  }

  static Object wrap(Message message) {
    Object.Builder object = Object.newBuilder();
    if (message instanceof Node n) {
      object.setNode(n);
    } else if (message instanceof Service s) {
      object.setService(s);
    } else if (message instanceof Task t) {
      object.setTask(t);
    } else if (message instanceof Network n) {
      object.setNetwork(n);
    } else if (message instanceof Cluster c) {
      object.setCluster(c);
    } else if (message instanceof Secret s) {
      object.setSecret(s);
    } else if (message instanceof Config c) {
      object.setConfig(c);
    } else if (message instanceof Resource r) {
      object.setResource(r);
    } else if (message instanceof Extension e) {
      object.setExtension(e);
    } else if (message instanceof Volume v) {
      object.setVolume(v);
    } else {
      throw new IllegalArgumentException("not a store object: " + message.getClass().getName());
    }
    return object.build();
  }
}
