package dev.swarmkit.swarmctl.service;

import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.Mount;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Resources;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.UpdateStatus;
import dev.swarmkit.swarmctl.text.GoStrings;
import dev.swarmkit.swarmctl.text.HumanUnits;
import dev.swarmkit.swarmctl.text.TabWriter;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The key/value summary that {@code service inspect} prints above the service's tasks. */
final class ServiceSummary {
    private ServiceSummary() {
    }

    /** "3/3" for replicated services, "global" for global ones, nothing for jobs. */
    static String replicas(Service s, int running) {
        ServiceSpec spec = s.getSpec();
        if (spec.hasGlobal()) {
            return "global";
        }
        if (spec.hasReplicated()) {
            return running + "/" + Long.toUnsignedString(spec.getReplicated().getReplicas());
        }
        return "";
    }

    static String render(Service service, int running, Instant now) {
        StringBuilder out = new StringBuilder();
        TabWriter w = TabWriter.forSummary(out);
        TaskSpec task = service.getSpec().getTask();
        ifNotEmpty(w, "ID\t: %s\n", service.getId());
        ifNotEmpty(w, "Name\t: %s\n", service.getSpec().getAnnotations().getName());
        if (service.getSpec().getAnnotations().getLabelsCount() > 0) {
            w.println("Labels\t");
            new TreeMap<>(service.getSpec().getAnnotations().getLabelsMap())
                    .forEach((k, v) -> w.printf("  %s\t: %s\n", k, v));
        }
        ifNotEmpty(w, "Replicas\t: %s\n", replicas(service, running));
        if (service.hasUpdateStatus()) {
            UpdateStatus status = service.getUpdateStatus();
            w.println("Update Status\t");
            w.println(" State\t: " + status.getState().name());
            if (status.hasStartedAt()) {
                w.println(" Started\t: " + HumanUnits.ago(status.getStartedAt(), now));
            }
            if (status.getState() == UpdateStatus.UpdateState.COMPLETED && status.hasCompletedAt()) {
                w.println(" Completed\t: " + HumanUnits.ago(status.getCompletedAt(), now));
            }
            w.println(" Message\t: " + status.getMessage());
        }
        w.println("Template\t");
        w.println(" Container\t");
        ContainerSpec ctr = task.getContainer();
        ifNotEmpty(w, "  Image\t: %s\n", ctr.getImage());
        String command = String.join(" ", ctr.getCommandList());
        ifNotEmpty(w, "  Command\t: %s\n", command.isEmpty() ? "" : GoStrings.quote(command));
        ifNotEmpty(w, "  Args\t: [%s]\n", String.join(", ", ctr.getArgsList()));
        ifNotEmpty(w, "  Env\t: [%s]\n", String.join(", ", ctr.getEnvList()));
        if (task.hasPlacement()) {
            ifNotEmpty(w, "  Constraints\t: %s\n", String.join(", ", task.getPlacement().getConstraintsList()));
        }
        if (task.hasResources()) {
            w.println("  Resources\t");
            if (task.getResources().hasReservations()) {
                w.println("    Reservations:\t");
                resources(w, task.getResources().getReservations());
            }
            if (task.getResources().hasLimits()) {
                w.println("    Limits:\t");
                resources(w, task.getResources().getLimits());
            }
        }
        if (task.getNetworksCount() > 0) {
            // Upstream ends this line without a newline, gluing "Ports:" or the next section to it;
            // we end the line so the layout stays readable.
            w.print("  Networks:");
            for (NetworkAttachmentConfig n : task.getNetworksList()) {
                w.print(" " + n.getTarget());
            }
            w.print("\n");
        }
        if (service.hasEndpoint() && service.getEndpoint().getPortsCount() > 0) {
            // Upstream starts this with a newline, which ends the Networks line or leaves a blank one.
            w.println(task.getNetworksCount() > 0 ? "Ports:" : "\nPorts:");
            for (PortConfig port : service.getEndpoint().getPortsList()) {
                w.printf("    - Name\t= %s\n", port.getName());
                w.printf("      Protocol\t= %s\n", port.getProtocol().name());
                w.printf("      Port\t= %d\n", port.getTargetPort());
                w.printf("      SwarmPort\t= %d\n", port.getPublishedPort());
            }
        }
        if (ctr.getMountsCount() > 0) {
            w.println("  Mounts:");
            for (Mount m : ctr.getMountsList()) {
                w.printf("    - target = %s\n", m.getTarget());
                w.printf("      source = %s\n", m.getSource());
                w.printf("      readonly = %s\n", m.getReadonly());
                w.printf("      type = %s\n", m.getType().name().toLowerCase(Locale.ROOT));
            }
        }
        if (ctr.getSecretsCount() > 0) {
            w.println("  Secrets:");
            for (SecretReference sr : ctr.getSecretsList()) {
                w.printf("    [%s] %s@%s:%s\n", sr.hasFile() ? "FILE" : "", sr.getSecretName(), sr.getSecretId(),
                        sr.hasFile() ? sr.getFile().getName() : "");
            }
        }
        if (ctr.getConfigsCount() > 0) {
            w.println("  Configs:");
            for (ConfigReference cr : ctr.getConfigsList()) {
                w.printf("    [%s] %s@%s:%s\n", cr.hasFile() ? "FILE" : "", cr.getConfigName(), cr.getConfigId(),
                        cr.hasFile() ? cr.getFile().getName() : "");
            }
        }
        if (task.hasLogDriver()) {
            w.printf("  LogDriver\t: %s\n", task.getLogDriver().getName());
            for (Map.Entry<String, String> o : new TreeMap<>(task.getLogDriver().getOptionsMap()).entrySet()) {
                if (o.getValue().isEmpty()) {
                    w.printf("    %s\t\n", o.getKey());
                } else {
                    w.printf("    %s\t: %s\n", o.getKey(), o.getValue());
                }
            }
        }
        w.flush();
        return out.toString();
    }

    private static void resources(TabWriter w, Resources r) {
        if (r.getNanoCpus() != 0) {
            w.printf("      CPU\t: %s\n", cpus(r.getNanoCpus()));
        }
        if (r.getMemoryBytes() != 0) {
            w.printf("      Memory\t: %s\n", HumanUnits.iBytes(r.getMemoryBytes()));
        }
        if (r.getGenericCount() != 0) {
            w.println("      Generic Resources\t");
        }
        for (GenericResource g : r.getGenericList()) {
            w.printf("        %s\t: %s\n", GenericResources.kind(g), GenericResources.value(g));
        }
    }

    /** Go's %g of the core count: "0.5", "2". */
    private static String cpus(long nanoCpus) {
        return BigDecimal.valueOf(nanoCpus).movePointLeft(9).stripTrailingZeros().toPlainString();
    }

    private static void ifNotEmpty(TabWriter w, String format, String value) {
        if (!value.isEmpty()) {
            w.printf(format, value);
        }
    }
}
