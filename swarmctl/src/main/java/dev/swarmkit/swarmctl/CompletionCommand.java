package dev.swarmkit.swarmctl;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "completion",
        description = "Print a bash completion script; load it with: source <(swarmctl completion)")
public final class CompletionCommand extends SwarmctlCommand {
    @Override
    protected void run(Session session) {
        CommandLine root = spec.root().commandLine();
        session.out().print(AutoComplete.bash("swarmctl", root));
        session.out().flush();
    }
}
