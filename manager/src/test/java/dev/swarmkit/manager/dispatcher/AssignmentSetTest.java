package dev.swarmkit.manager.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.AssignmentChange;
import dev.swarmkit.api.AssignmentChange.AssignmentAction;
import dev.swarmkit.api.AssignmentsMessage;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.store.MemoryStore;
import dev.swarmkit.store.Table;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssignmentSetTest {

  MemoryStore store = new MemoryStore();
  AssignmentSet set = new AssignmentSet();

  static Task task(String id, TaskState state) {
    return Task.newBuilder().setId(id).setDesiredState(TaskState.RUNNING)
        .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder()
            .addSecrets(SecretReference.newBuilder().setSecretId("s1"))
            .addConfigs(ConfigReference.newBuilder().setConfigId("c1"))))
        .setStatus(TaskStatus.newBuilder().setState(state)).build();
  }

  boolean add(Task t) {
    return store.view(tx -> set.addOrUpdateTask(tx, t));
  }

  static List<String> describe(AssignmentsMessage msg) {
    return msg.getChangesList().stream().map(AssignmentSetTest::describe).toList();
  }

  static String describe(AssignmentChange c) {
    var a = c.getAssignment();
    String what = a.hasTask() ? "task:" + a.getTask().getId()
        : a.hasSecret() ? "secret:" + a.getSecret().getId() : "config:" + a.getConfig().getId();
    return (c.getAction() == AssignmentAction.REMOVE ? "-" : "+") + what;
  }

  @Test
  void sharedDependenciesAreSentOnceAndRemovedWithTheirLastTask() {
    store.update(tx -> {
      tx.create(Table.SECRETS, Secret.newBuilder().setId("s1").build());
      tx.create(Table.CONFIGS, dev.swarmkit.api.Config.newBuilder().setId("c1").build());
    });

    add(task("t1", TaskState.ASSIGNED));
    add(task("t2", TaskState.ASSIGNED));
    assertThat(describe(set.message())).containsExactly("+secret:s1", "+config:c1", "+task:t1", "+task:t2");

    set.removeTask(task("t1", TaskState.ASSIGNED));
    assertThat(describe(set.message())).containsExactly("-task:t1");

    set.removeTask(task("t2", TaskState.ASSIGNED));
    assertThat(describe(set.message())).containsExactly("-secret:s1", "-config:c1", "-task:t2");
  }

  @Test
  void tasksBeforeAssignedAreNotSentAndFinishedTasksReleaseDependencies() {
    store.update(tx -> tx.create(Table.SECRETS, Secret.newBuilder().setId("s1").build()));

    assertThat(add(task("t1", TaskState.PENDING))).isFalse();
    add(task("t1", TaskState.ASSIGNED));
    set.message();

    assertThat(add(task("t1", TaskState.RUNNING))).isFalse(); // status-only change
    assertThat(add(task("t1", TaskState.COMPLETE))).isTrue();
    assertThat(describe(set.message())).containsExactly("-secret:s1", "-config:c1");
  }

  @Test
  void missingDependenciesAreSkipped() {
    add(task("t1", TaskState.ASSIGNED));

    assertThat(describe(set.message())).containsExactly("+task:t1");
  }
}
