package dev.swarmkit.swarmctl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Output layouts byte for byte against the upstream recording, over TLS on a real Unix socket. */
class ReferenceLayoutTest extends AgainstFakeManager {
    private static void assertPrints(String expected, String... args) {
        Cli.Result result = cli.run(args);
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo(expected);
    }

    @Test
    void nodeLsMarksTheLeaderAndPadsTheLastColumn() {
        assertPrints(resource("node-ls.txt"), "node", "ls");
    }

    @Test
    void nodeInspectPrintsTheSummaryAndTheNodesTasks() {
        assertPrints(resource("node-inspect-node-2.txt"), "node", "inspect", "node-2");
    }

    @Test
    void clusterInspectPrintsSettingsAndJoinTokens() {
        assertPrints(resource("cluster-inspect-default.txt"), "cluster", "inspect", "default");
    }

    @Test
    void clusterLs() {
        assertPrints(resource("cluster-ls.txt"), "cluster", "ls");
    }

    @Test
    void serviceLsCountsRunningTasksOnLiveNodes() {
        assertPrints(resource("service-ls.txt"), "service", "ls");
    }

    @Test
    void serviceInspectPrintsTheTemplateAndTasksBySlot() {
        assertPrints(resource("service-inspect-web.txt"), "service", "inspect", "web");
    }

    @Test
    void taskLsNamesTasksByServiceAndSlotWithHumanAges() {
        assertPrints(resource("task-ls.txt"), "task", "ls");
    }

    @Test
    void taskLsWithNoResolveShowsIds() {
        assertPrints(resource("task-ls--n.txt"), "-n", "task", "ls");
        assertPrints(resource("task-ls--n.txt"), "task", "ls", "--no-resolve");
    }

    @Test
    void taskLsAllIncludesEveryTaskTheManagerReturns() {
        // Recorded later, with two tasks left and their states 11 minutes old.
        manager.tasks.clear();
        for (String[] t : new String[][] {{ReferenceSwarm.TASK_1, "1", ReferenceSwarm.NODE_1},
                {ReferenceSwarm.TASK_2, "2", ReferenceSwarm.NODE_2}}) {
            dev.swarmkit.api.Task task = ReferenceSwarm.task(t[0], Long.parseLong(t[1]), t[2]);
            manager.tasks.add(task.toBuilder().setStatus(task.getStatus().toBuilder()
                    .setTimestamp(ReferenceSwarm.ago(11 * 60 + 5))).build());
        }
        assertPrints(resource("task-ls--a.txt"), "task", "ls", "-a");
    }

    @Test
    void emptySecretAndConfigListsKeepTheirWiderPadding() {
        manager.reset();
        assertPrints(resource("secret-ls.txt"), "secret", "ls");
        assertPrints(resource("config-ls.txt"), "config", "ls");
    }

    @Test
    void quietListsPrintOnlyIds() {
        assertPrints(ReferenceSwarm.NODE_1 + "\n" + ReferenceSwarm.NODE_2 + "\n" + ReferenceSwarm.NODE_3 + "\n",
                "node", "ls", "-q");
        assertPrints(ReferenceSwarm.WEB + "\n", "service", "ls", "-q");
        assertPrints(ReferenceSwarm.CLUSTER + "\n", "cluster", "ls", "-q");
    }
}
