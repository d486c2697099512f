package dev.swarmkit.swarmctl.network;

import dev.swarmkit.api.CreateNetworkRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.IPAMConfig;
import dev.swarmkit.api.IPAMOptions;
import dev.swarmkit.api.ListNetworksRequest;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkSpec;
import dev.swarmkit.api.RemoveNetworkRequest;
import dev.swarmkit.net.Cidr;
import dev.swarmkit.swarmctl.CliException;
import dev.swarmkit.swarmctl.CommandGroup;
import dev.swarmkit.swarmctl.CsvField;
import dev.swarmkit.swarmctl.JsonOutput;
import dev.swarmkit.swarmctl.ListOutput;
import dev.swarmkit.swarmctl.OneArgument;
import dev.swarmkit.swarmctl.Session;
import dev.swarmkit.swarmctl.SwarmctlCommand;
import dev.swarmkit.swarmctl.Tables;
import dev.swarmkit.swarmctl.text.TabWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "network", description = "Create, inspect and remove networks.",
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class,
            NetworkCommand.Rm.class})
public final class NetworkCommand extends CommandGroup {

    @Command(name = "create", description = "Create a network; prints its ID.")
    static final class Create extends SwarmctlCommand {
        @Option(names = "--name", description = "Network name")
        String name;
        @Option(names = "--driver", description = "Network driver, e.g. overlay")
        String driver;
        @Option(names = "--ipam-driver", description = "IP address management driver")
        String ipamDriver;
        @Option(names = "--subnet", split = ",", converter = CsvField.class, paramLabel = "<cidr>", description = "Subnets of the network")
        List<String> subnets = new ArrayList<>();
        @Option(names = "--gateway", split = ",", converter = CsvField.class, paramLabel = "<ip>", description = "Gateways, one per subnet")
        List<String> gateways = new ArrayList<>();
        @Option(names = "--ip-range", split = ",", converter = CsvField.class, paramLabel = "<cidr>",
                description = "Ranges to allocate from, within the subnets")
        List<String> ranges = new ArrayList<>();
        @Option(names = "--opts", split = ",", converter = CsvField.class, paramLabel = "<key=value>", description = "Network driver options")
        List<String> opts = new ArrayList<>();
        @Parameters(hidden = true)
        List<String> args;

        @Override
        protected void run(Session session) {
            none(args, "create command takes no arguments");
            if (name == null) {
                throw CliException.usage("--name is required");
            }
            NetworkSpec.Builder spec = NetworkSpec.newBuilder();
            spec.getAnnotationsBuilder().setName(name);
            if (driver != null) {
                Driver.Builder d = Driver.newBuilder().setName(driver);
                for (String opt : opts) {
                    String[] pair = opt.split("=", -1);
                    if (pair.length != 2) {
                        throw CliException.usage("Malformed opts: " + opt);
                    }
                    d.putOptions(pair[0], pair[1]);
                }
                spec.setDriverConfig(d);
            }
            IPAMOptions ipam = ipam();
            if (ipam != null) {
                spec.setIpam(ipam);
            }
            Network created = session.control().createNetwork(CreateNetworkRequest.newBuilder().setSpec(spec)
                    .build()).getNetwork();
            session.out().println(created.getId());
        }

        private static Cidr cidr(String text) {
            return Cidr.parse(text).orElseThrow(() -> new CliException("invalid CIDR address: " + text));
        }

        private IPAMOptions ipam() {
            IPAMOptions.Builder ipam = null;
            if (ipamDriver != null) {
                ipam = IPAMOptions.newBuilder().setDriver(Driver.newBuilder().setName(ipamDriver));
            }
            if (subnets.isEmpty()) {
                return ipam == null ? null : ipam.build();
            }
            List<String> freeGateways = new ArrayList<>(gateways);
            List<String> freeRanges = new ArrayList<>(ranges);
            List<IPAMConfig> configs = new ArrayList<>();
            for (String subnet : subnets) {
                Cidr net = cidr(subnet);
                String gateway = "";
                for (String g : freeGateways) {
                    if (net.contains(Cidr.parseAddress(g).orElse(null))) {
                        gateway = g;
                        freeGateways.remove(g);
                        break;
                    }
                }
                String range = "";
                for (String r : freeRanges) {
                    if (net.contains(cidr(r).network())) {
                        range = r;
                        freeRanges.remove(r);
                        break;
                    }
                }
                configs.add(IPAMConfig.newBuilder()
                        .setFamily(net.isIpv4() ? IPAMConfig.AddressFamily.IPV4 : IPAMConfig.AddressFamily.IPV6)
                        .setSubnet(subnet).setGateway(gateway).setRange(range).build());
            }
            if (ipam == null) {
                ipam = IPAMOptions.newBuilder();
            }
            return ipam.addAllConfigs(configs).build();
        }
    }

    @Command(name = "ls", description = "List networks.")
    static final class Ls extends SwarmctlCommand {
        @Mixin
        ListOutput output;

        @Override
        protected void run(Session session) {
            output.print(session,
                    () -> session.control().listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList(),
                    (w, networks) -> {
                        Tables.header(w, "ID", "Name", "Driver");
                        for (Network n : networks) {
                            w.row(n.getId(), n.getSpec().getAnnotations().getName(), driverName(n));
                        }
                    });
        }

        /** The allocated driver; before allocation (where upstream crashes) the requested one, if any. */
        static String driverName(Network n) {
            if (n.hasDriverState()) {
                return n.getDriverState().getName();
            }
            return n.getSpec().hasDriverConfig() ? n.getSpec().getDriverConfig().getName() : "";
        }
    }

    @Command(name = "inspect", description = "Show a network.")
    static final class Inspect extends SwarmctlCommand {
        @Mixin
        JsonOutput format;
        @OneArgument
        @Parameters(paramLabel = "<network>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "network ID missing", "inspect command takes exactly 1 argument");
            Network network = session.lookup().network(input);
            if (format.enabled()) {
                JsonOutput.printOne(session.out(), network);
                return;
            }
            session.out().print(summary(network));
        }

        static String summary(Network network) {
            StringBuilder out = new StringBuilder();
            TabWriter w = TabWriter.forSummary(out);
            NetworkSpec spec = network.getSpec();
            ifNotEmpty(w, "ID\t: %s\n", network.getId());
            ifNotEmpty(w, "Name\t: %s\n", spec.getAnnotations().getName());
            w.println("Spec:\t");
            if (spec.getAnnotations().getLabelsCount() > 0) {
                w.println("  Labels:\t");
                pairs(w, "    ", spec.getAnnotations().getLabelsMap());
            }
            w.printf("  IPv6Enabled\t: %s\n", spec.getIpv6Enabled());
            w.printf("  Internal\t: %s\n", spec.getInternal());
            if (network.hasDriverState()) {
                Driver driver = network.getDriverState();
                w.println("Driver:\t");
                ifNotEmpty(w, "  Name\t: %s\n", driver.getName());
                if (driver.getOptionsCount() > 0) {
                    w.println("  Options:\t");
                    pairs(w, "    ", driver.getOptionsMap());
                }
            }
            if (network.hasIpam()) {
                IPAMOptions ipam = network.getIpam();
                w.println("IPAM:\t");
                if (ipam.hasDriver()) {
                    w.println("  Driver:\t");
                    ifNotEmpty(w, "    Name\t: %s\n", ipam.getDriver().getName());
                    if (ipam.getDriver().getOptionsCount() > 0) {
                        w.println("    Options:\t");
                        pairs(w, "      ", ipam.getDriver().getOptionsMap());
                    }
                }
                for (IPAMConfig config : ipam.getConfigsList()) {
                    w.println("  IPAM Config:\t");
                    ifNotEmpty(w, "    Family\t: %s\n", config.getFamily().name());
                    ifNotEmpty(w, "    Subnet\t: %s\n", config.getSubnet());
                    ifNotEmpty(w, "    Range\t: %s\n", config.getRange());
                    ifNotEmpty(w, "    Gateway\t: %s\n", config.getGateway());
                    if (config.getReservedCount() > 0) {
                        w.println("    Reserved:\t");
                        pairs(w, "      ", config.getReservedMap());
                    }
                }
            }
            w.flush();
            return out.toString();
        }

        private static void pairs(TabWriter w, String indent, Map<String, String> values) {
            new TreeMap<>(values).forEach((k, v) -> w.println(indent + k + " = " + v));
        }

        private static void ifNotEmpty(TabWriter w, String format, String value) {
            if (!value.isEmpty()) {
                w.printf(format, value);
            }
        }
    }

    @Command(name = "rm", aliases = "remove", description = "Remove a network.")
    static final class Rm extends SwarmctlCommand {
        @OneArgument
        @Parameters(paramLabel = "<network>", arity = "0..*")
        List<String> args;

        @Override
        protected void run(Session session) {
            String input = exactlyOne(args, "network ID missing", "remove command takes exactly 1 argument");
            Network network = session.lookup().network(input);
            session.control().removeNetwork(RemoveNetworkRequest.newBuilder().setNetworkId(network.getId()).build());
            session.out().println(input);
        }
    }
}
