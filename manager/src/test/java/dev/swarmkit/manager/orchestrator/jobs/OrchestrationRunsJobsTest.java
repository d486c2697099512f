package dev.swarmkit.manager.orchestrator.jobs;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.swarmkit.api.Node;
import dev.swarmkit.api.RestartPolicy;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.manager.orchestrator.Fixture;
import dev.swarmkit.manager.orchestrator.Orchestration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Jobs run to completion with every leader component running, none of the others interfering. */
class OrchestrationRunsJobsTest {

  private final JobFixture jobs = new JobFixture();
  private final Fixture fx = jobs.fx;
  private Orchestration orchestration;

  @BeforeEach
  void start() {
    fx.createCluster(5);
    orchestration = new Orchestration(fx.store);
    orchestration.start();
  }

  @AfterEach
  void stop() {
    orchestration.stop();
  }

  @Test
  void replicatedAndGlobalJobsRunToCompletionAlongsideTheOtherOrchestrators() {
    Node a = fx.createNode("a");
    Node b = fx.createNode("b");
    RestartPolicy onFailure = Fixture.restartPolicy(RestartPolicy.RestartCondition.ON_FAILURE, 0, 0);
    Service replicated = jobs.createReplicatedJob("batch", 2, 3, Fixture.taskSpec(onFailure));
    Service global = jobs.createGlobalJob("sweep", Fixture.taskSpec(onFailure));

    for (int done = 0; done < 3; done++) {
      await().atMost(ofSeconds(3)).until(() -> !jobs.startable(replicated.getId()).isEmpty());
      assertThat(jobs.unfinished(replicated.getId()).size()).isLessThanOrEqualTo(2);
      jobs.runTo(jobs.startable(replicated.getId()).get(0), a.getId(), TaskState.COMPLETE);
    }
    await().atMost(ofSeconds(3)).until(() -> jobs.startable(global.getId()).size() == 2);
    for (Task t : jobs.startable(global.getId())) {
      jobs.runTo(t, t.getNodeId(), TaskState.COMPLETE);
    }
    jobs.awaitOrchestratorCaughtUp();

    assertThat(fx.tasks(replicated.getId())).hasSize(3)
        .allSatisfy(t -> assertThat(t.getStatus().getState()).isEqualTo(TaskState.COMPLETE));
    assertThat(fx.tasks(global.getId())).hasSize(2)
        .allSatisfy(t -> assertThat(t.getStatus().getState()).isEqualTo(TaskState.COMPLETE))
        .extracting(Task::getNodeId).containsExactlyInAnyOrder(a.getId(), b.getId());
  }
}
