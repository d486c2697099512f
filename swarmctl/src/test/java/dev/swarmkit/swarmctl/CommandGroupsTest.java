package dev.swarmkit.swarmctl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.swarmkit.swarmctl.node.NodeCommand;
import dev.swarmkit.swarmctl.service.ServiceCommand;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Only the named command group is built; whatever is unclear gets every group, as before. */
class CommandGroupsTest {
    @Test
    void aCommandLineNamingAGroupGetsOnlyThatGroup() {
        assertThat(CommandGroups.needed("node", "ls")).containsExactly(NodeCommand.class);
        assertThat(CommandGroups.needed("-s", "/x.sock", "node", "ls")).containsExactly(NodeCommand.class);
        assertThat(CommandGroups.needed("--socket", "/x.sock", "-n", "node", "ls")).containsExactly(NodeCommand.class);
        assertThat(CommandGroups.needed("--socket=/x.sock", "node")).containsExactly(NodeCommand.class);
        assertThat(CommandGroups.needed("-ns", "/x.sock", "node", "ls")).containsExactly(NodeCommand.class);
        assertThat(CommandGroups.needed("-s/x.sock", "node", "ls")).containsExactly(NodeCommand.class);
        assertThat(CommandGroups.needed("svc", "ls")).containsExactly(ServiceCommand.class);
    }

    @Test
    void helpTyposArgumentFilesAndCompletionGetEveryGroup() {
        int all = CommandGroups.needed().size();
        assertThat(all).isEqualTo(9);
        assertThat(CommandGroups.needed("--help")).hasSize(all);
        assertThat(CommandGroups.needed("nod", "ls")).hasSize(all);
        assertThat(CommandGroups.needed("@args.txt")).hasSize(all);
        assertThat(CommandGroups.needed("completion")).hasSize(all);
        assertThat(CommandGroups.needed("-s", "node")).hasSize(all);
    }

    @Test
    void onlyCommandsThatCallTheManagerGetTheirTlsSetUpEarly() {
        assertThat(CommandGroups.talksToTheManager("node", "ls")).isTrue();
        assertThat(CommandGroups.talksToTheManager("-s", "/x.sock", "svc", "inspect", "web")).isTrue();
        assertThat(CommandGroups.talksToTheManager("version")).isFalse();
        assertThat(CommandGroups.talksToTheManager("completion")).isFalse();
        assertThat(CommandGroups.talksToTheManager("node", "ls", "--help")).isFalse();
        assertThat(CommandGroups.talksToTheManager("nod", "ls")).isFalse();
        assertThat(CommandGroups.talksToTheManager()).isFalse();
    }

    @Test
    void rootHelpStillListsEveryGroupAndAGroupsHelpIsUnchanged() {
        String rootHelp = run("--help");
        assertThat(rootHelp).contains("  node ", "  service, svc ", "  task ", "  version ", "  network ",
                "  cluster ", "  secret ", "  config ", "  completion ");
        // The inherited root options still reach a lazily added group's commands.
        assertThat(run("node", "ls", "--help")).contains("-s, --socket=<path>", "-n, --no-resolve");
    }

    @Test
    void aMistypedGroupIsReportedAsAnUnknownCommandWithTheHelpHint() {
        StringWriter err = new StringWriter();
        int code = SwarmctlMain.run(environment(new StringWriter(), err), "nod", "ls");
        assertThat(code).isEqualTo(SwarmctlMain.FAILURE);
        assertThat(err.toString()).isEqualTo("Error: unknown command \"nod\" for \"swarmctl\"\n"
                + "Run 'swarmctl --help' for usage.\n");
    }

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        int code = SwarmctlMain.run(environment(out, new StringWriter()), args);
        assertThat(code).isZero();
        return out.toString();
    }

    private static Environment environment(StringWriter out, StringWriter err) {
        return new Environment(new PrintWriter(out, true), new PrintWriter(err, true),
                new ByteArrayInputStream(new byte[0]), Map.of(), Clock.systemUTC());
    }
}
