package dev.swarmkit.swarmctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ClusterSpec;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.RemoveServiceRequest;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.UpdateClusterRequest;
import dev.swarmkit.api.UpdateServiceRequest;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Argument forms and error reports as upstream's Go CLI (cobra/pflag) has them. */
class CliHabitsTest extends AgainstFakeManager {
    private static ServiceSpec created(String... flags) {
        List<String> args = new ArrayList<>(List.of("service", "create", "--name", "api", "--image", "nginx:1"));
        args.addAll(List.of(flags));
        Cli.Result result = cli.run(args.toArray(String[]::new));
        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        return manager.received(CreateServiceRequest.class).get(0).getSpec();
    }

    // --- option-like values

    @Test
    void aFlagTakesTheNextWordAsItsValueEvenWhenItLooksLikeAFlag() {
        assertThat(created("--args", "-h").getTask().getContainer().getArgsList()).containsExactly("-h");
        manager.reset();
        ReferenceSwarm.load(manager);
        assertThat(created("--command", "sh", "--args", "-c,--verbose").getTask().getContainer().getArgsList())
                .containsExactly("-c", "--verbose");
    }

    @Test
    void helpAloneStillPrintsTheHelp() {
        for (String help : List.of("--help", "-h")) {
            Cli.Result result = cli.run("service", "create", help);
            assertThat(result.exitCode()).isZero();
            assertThat(result.out()).startsWith("Usage: swarmctl service create [OPTIONS]");
        }
        assertThat(manager.received(CreateServiceRequest.class)).isEmpty();
    }

    @Test
    void listFlagsSplitOnCommasOutsideQuotesAsPflagsCsv() {
        assertThat(created("--env", "\"A=1,2\",B=3").getTask().getContainer().getEnvList())
                .containsExactly("A=1,2", "B=3");
    }

    @Test
    void aQuoteInsideAnUnquotedListFieldIsRefusedAsGosCsvReaderDoes() {
        Cli.Result result = cli.run("service", "create", "--name", "a", "--image", "i", "--env", "MSG=\"hi\"");
        assertThat(result.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
        assertThat(result.err()).contains("bare \" in non-quoted-field: MSG=\"hi\"")
                .endsWith("\nRun 'swarmctl service create --help' for usage.\n");
        assertThat(manager.received(CreateServiceRequest.class)).isEmpty();
    }

    // --- parse errors: the error and a one-line hint, never the whole usage

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "service create --bogus|unknown flag: --bogus|swarmctl service create",
        "service create --bogus=1|unknown flag: --bogus|swarmctl service create",
        "service create -x|unknown shorthand flag: 'x' in -x|swarmctl service create",
        "service create --name|flag needs an argument: --name|swarmctl service create",
        "service frobnicate|unknown command \"frobnicate\" for \"swarmctl service\"|swarmctl service",
        "bogus|unknown command \"bogus\" for \"swarmctl\"|swarmctl",
        "service rm|service ID missing|swarmctl service rm",
        "service rm web api|remove command takes exactly 1 argument|swarmctl service rm",
        "service rollback|service ID missing|swarmctl service rollback",
        "secret rm a b|remove command takes a single secret ID or name|swarmctl secret rm",
        "service ls --format yaml|--format must be table or json|swarmctl service ls",
    })
    void aMistakePrintsTheErrorAndAHintToTheCommandsHelp(String line, String error, String command) {
        Cli.Result result = cli.run(line.split(" "));
        assertThat(result.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("Error: " + error + "\nRun '" + command + " --help' for usage.\n");
        assertThat(manager.received(RemoveServiceRequest.class)).isEmpty();
    }

    @Test
    void aServerRefusalPrintsOnlyTheServersMessage() {
        manager.failures.put("UpdateService",
                Status.FAILED_PRECONDITION.withDescription("service mt8p8lo88k5kaeu09spky955y does not have a "
                        + "previous spec"));
        Cli.Result result = cli.run("service", "rollback", "web");
        assertThat(result.exitCode()).isEqualTo(SwarmctlMain.FAILURE);
        assertThat(result.err())
                .isEqualTo("Error: service mt8p8lo88k5kaeu09spky955y does not have a previous spec\n");
    }

    // --- usage strings match arity

    @Test
    void aCommandTakingOneArgumentShowsOneInItsUsage() {
        assertThat(cli.run("service", "rm", "--help").out()).startsWith("Usage: swarmctl service rm [OPTIONS] <service>\n");
        assertThat(cli.run("node", "inspect", "--help").out())
                .startsWith("Usage: swarmctl node inspect [OPTIONS] <node>\n");
        assertThat(cli.run("task", "rm", "--help").out()).startsWith("Usage: swarmctl task rm [OPTIONS] <task ID>\n");
        // logs takes several.
        assertThat(cli.run("service", "logs", "--help").out())
                .startsWith("Usage: swarmctl service logs [OPTIONS] [<service>...]\n");
    }

    // --- rollback

    @Test
    void rollbackAsksForThePreviousSpecOfTheServiceAtTheVersionItRead() {
        Cli.Result result = cli.run("service", "rollback", "web");
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).isEqualTo(ReferenceSwarm.WEB + "\n");
        UpdateServiceRequest request = manager.received(UpdateServiceRequest.class).get(0);
        assertThat(request.getRollback()).isEqualTo(UpdateServiceRequest.Rollback.PREVIOUS);
        assertThat(request.getServiceId()).isEqualTo(ReferenceSwarm.WEB);
        assertThat(request.getServiceVersion().getIndex()).isEqualTo(30);
        assertThat(request.getSpec()).isEqualTo(ReferenceSwarm.web().getSpec());
    }

    // --- log driver as upstream's Merge

    @Test
    void updateWithoutLogDriverClearsTheDriverAsUpstreamDoes() {
        dev.swarmkit.api.Service web = ReferenceSwarm.web();
        ServiceSpec.Builder spec = web.getSpec().toBuilder();
        spec.getTaskBuilder().setLogDriver(Driver.newBuilder().setName("json-file"));
        manager.services.set(0, web.toBuilder().setSpec(spec).build());
        assertThat(cli.run("service", "update", "web", "--replicas", "5").err()).isEmpty();
        ServiceSpec sent = manager.received(UpdateServiceRequest.class).get(0).getSpec();
        assertThat(sent.getTask().hasLogDriver()).isFalse();
        assertThat(sent.getReplicated().getReplicas()).isEqualTo(5);
    }

    @Test
    void updateWithLogDriverSetsIt() {
        assertThat(cli.run("service", "update", "web", "--log-driver", "syslog", "--log-opt", "tag=web").err())
                .isEmpty();
        assertThat(manager.received(UpdateServiceRequest.class).get(0).getSpec().getTask().getLogDriver())
                .isEqualTo(Driver.newBuilder().setName("syslog").putOptions("tag", "web").build());
    }

    @Test
    void clusterUpdateWithoutLogDriverClearsTheDefaultDriverAsUpstreamDoes() {
        dev.swarmkit.api.Cluster cluster = manager.clusters.get(0);
        ClusterSpec.Builder spec = cluster.getSpec().toBuilder();
        spec.getTaskDefaultsBuilder().setLogDriver(Driver.newBuilder().setName("json-file"));
        manager.clusters.set(0, cluster.toBuilder().setSpec(spec).build());
        assertThat(cli.run("cluster", "update", "default", "--task-history", "3").err()).isEmpty();
        assertThat(manager.received(UpdateClusterRequest.class).get(0).getSpec().getTaskDefaults().hasLogDriver())
                .isFalse();
    }

    @Test
    void logOptionsWithoutADriverAreRefused() {
        Cli.Result result = cli.run("service", "update", "web", "--log-opt", "tag=web");
        assertThat(result.err()).isEqualTo("Error: --log-opt needs --log-driver\n"
                + "Run 'swarmctl service update --help' for usage.\n");
        assertThat(manager.received(UpdateServiceRequest.class)).isEmpty();
    }

    // --- tmpfs as upstream's flagparser: a comma-separated list of mounts

    @Test
    void tmpfsValuesAreSplitOnCommasLikeUpstreamsStringSlice() {
        assertThat(created("--tmpfs", "/a,/b:size=1k").getTask().getContainer().getMountsList()).containsExactly(
                Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/a").build(),
                Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/b")
                        .setTmpfsOptions(Mount.TmpfsOptions.newBuilder().setSizeBytes(1024)).build());
    }

    @Test
    void tmpfsOptionsAfterACommaAreAMountOfTheirOwnUnlessQuoted() {
        Cli.Result result = cli.run("service", "create", "--name", "a", "--image", "i", "--tmpfs", "/run:size=1k,ro");
        assertThat(result.err()).startsWith("Error: invalid mount spec: ro\n");
        assertThat(manager.received(CreateServiceRequest.class)).isEmpty();
        manager.reset();
        ReferenceSwarm.load(manager);
        assertThat(created("--tmpfs", "\"/run:size=1k,ro\"").getTask().getContainer().getMounts(0))
                .isEqualTo(Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/run").setReadonly(true)
                        .setTmpfsOptions(Mount.TmpfsOptions.newBuilder().setSizeBytes(1024)).build());
    }

    // --- JSON as Go's encoder writes it

    @Test
    void jsonOutputEscapesAsGosEncoder() {
        dev.swarmkit.api.Service web = ReferenceSwarm.web();
        ServiceSpec.Builder spec = web.getSpec().toBuilder();
        spec.setAnnotations(Annotations.newBuilder().setName("web").putLabels("expr", "a=b <c> & 'd'\u2028"));
        manager.services.set(0, web.toBuilder().setSpec(spec).build());
        String json = cli.run("service", "inspect", "web", "--format", "json").out();
        assertThat(json).contains("\"expr\": \"a=b \\u003cc\\u003e \\u0026 'd'\\u2028\"");
        assertThat(json).doesNotContain("\\u003d", "\\u0027");
        assertThat(json).startsWith("{\n  \"id\": \"" + ReferenceSwarm.WEB + "\",\n  \"meta\": {\n    \"version\": {");
    }

    @Test
    void anEmptyJsonListIsTwoBrackets() {
        manager.services.clear();
        assertThat(cli.run("service", "ls", "--format", "json").out()).isEqualTo("[]\n");
    }
}
