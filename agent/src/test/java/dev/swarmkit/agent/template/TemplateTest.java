package dev.swarmkit.agent.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Platform;
import dev.swarmkit.api.Task;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {

  private static final NodeDescription NODE = NodeDescription.newBuilder().setHostname("worker7")
      .setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("x86_64")).build();
  private static final Task TASK = Task.newBuilder().setId("task1").setServiceId("svc1").setNodeId("node1")
      .setSlot(3).setServiceAnnotations(Annotations.newBuilder().setName("api").putLabels("tier", "back")
          .putLabels("a", "1")).build();
  private static final TemplateContext CTX = TemplateContext.of(NODE, TASK, "api.3.task1");

  private static String expand(String s) throws TemplateException {
    return Template.expand(s, CTX, Map.of());
  }

  @Test
  void everyContextFieldOfUpstreamIsAvailable() throws Exception {
    assertThat(expand("{{.Service.ID}} {{.Service.Name}} {{.Service.Labels.tier}} {{.Node.ID}} {{.Node.Hostname}} "
        + "{{.Node.Platform.OS}}/{{.Node.Platform.Architecture}} {{.Task.ID}} {{.Task.Name}} {{.Task.Slot}}"))
        .isEqualTo("svc1 api back node1 worker7 linux/x86_64 task1 api.3.task1 3");
  }

  @Test
  void nodeBoundTasksUseTheNodeIdAsSlotAndAnUnknownNodeGivesEmptyFields() throws Exception {
    TemplateContext global = TemplateContext.of(null, TASK.toBuilder().setSlot(0).build(), "n");
    assertThat(Template.expand("[{{.Task.Slot}}|{{.Node.Hostname}}]", global, Map.of())).isEqualTo("[node1|]");
  }

  @Test
  void indexJoinLiteralsCommentsTrimMarkersAndMapsPrintAsInGo() throws Exception {
    assertThat(expand("{{index .Service.Labels \"tier\"}}|{{index .Service.Labels \"none\"}}|"))
        .isEqualTo("back||");
    assertThat(expand("{{join \",\" \"a\" .Service.Name `c`}}")).isEqualTo("a,api,c");
    assertThat(expand("a {{/* note */}}b")).isEqualTo("a b");
    assertThat(expand("x  \n {{- .Task.Slot -}} \n y")).isEqualTo("x3y");
    assertThat(expand("{{\"}}\"}}")).isEqualTo("}}");
    assertThat(expand("{{.Service.Labels}}")).isEqualTo("map[a:1 tier:back]");
    assertThat(expand("no actions {")).isEqualTo("no actions {");
  }

  @Test
  void callerFunctionsTakeOneStringAndTheirErrorsFailTheExpansion() throws Exception {
    Map<String, TemplateFunction> fns = Map.of("env", n -> n.equals("HOME") ? "/root" : "",
        "secret", t -> { throw new TemplateException("secret target " + t + " not found"); });
    assertThat(Template.expand("{{env \"HOME\"}}:{{env \"NOPE\"}}", CTX, fns)).isEqualTo("/root:");
    assertThatThrownBy(() -> Template.expand("{{secret \"x\"}}", CTX, fns))
        .hasMessage("error calling secret: secret target x not found");
    assertThatThrownBy(() -> Template.expand("{{env \"A\" \"B\"}}", CTX, fns))
        .hasMessage("wrong number of args for env: want 1 got 2");
    assertThatThrownBy(() -> expand("{{secret \"x\"}}"))
        .hasMessageStartingWith("function \"secret\" not defined in {{secret \"x\"}} (available here: index, join)");
  }

  @Test
  void missingLabelKeysAndUnknownFieldsAreErrors() {
    assertThatThrownBy(() -> expand("{{.Service.Labels.nope}}")).hasMessage("map has no entry for key \"nope\"");
    assertThatThrownBy(() -> expand("{{.Secret}}"))
        .hasMessageStartingWith("unsupported template expression {{.Secret}}: Context has no field Secret");
    assertThatThrownBy(() -> expand("{{.Task.ID.More}}")).hasMessageContaining("can't evaluate field More");
    assertThatThrownBy(() -> expand("{{.Node}}")).hasMessageContaining("cannot print a whole Node");
  }

  @Test
  void constructsOutsideTheSubsetAreRefusedNotIgnored() {
    assertThatThrownBy(() -> expand("{{if .Service.Name}}x{{end}}")).hasMessageContaining("\"if\" is not supported");
    assertThatThrownBy(() -> expand("{{.Service.Name | printf \"%s\"}}")).hasMessageContaining("pipelines");
    assertThatThrownBy(() -> expand("{{$x := 1}}")).hasMessageContaining("variables");
    assertThatThrownBy(() -> expand("{{printf \"%s\" .Service.Name}}")).hasMessageContaining("function \"printf\" not defined");
    assertThatThrownBy(() -> expand("{{.Service.Name")).hasMessage("unclosed action");
    assertThatThrownBy(() -> expand("{{}}")).hasMessageContaining("missing value");
    assertThatThrownBy(() -> expand("{{.Service.Name \"x\"}}")).hasMessageContaining("non-function");
  }
}
