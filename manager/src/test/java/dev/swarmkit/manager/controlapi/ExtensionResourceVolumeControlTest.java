package dev.swarmkit.manager.controlapi;

import static dev.swarmkit.manager.controlapi.StatusAssert.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.CreateExtensionRequest;
import dev.swarmkit.api.CreateResourceRequest;
import dev.swarmkit.api.CreateVolumeRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.Extension;
import dev.swarmkit.api.GetExtensionRequest;
import dev.swarmkit.api.GetResourceRequest;
import dev.swarmkit.api.GetVolumeRequest;
import dev.swarmkit.api.ListResourcesRequest;
import dev.swarmkit.api.ListVolumesRequest;
import dev.swarmkit.api.RemoveExtensionRequest;
import dev.swarmkit.api.RemoveResourceRequest;
import dev.swarmkit.api.RemoveVolumeRequest;
import dev.swarmkit.api.Resource;
import dev.swarmkit.api.UpdateResourceRequest;
import dev.swarmkit.api.UpdateVolumeRequest;
import dev.swarmkit.api.Volume;
import dev.swarmkit.api.VolumeAccessMode;
import dev.swarmkit.api.VolumePublishStatus;
import dev.swarmkit.api.VolumeSecret;
import dev.swarmkit.api.VolumeSpec;
import dev.swarmkit.store.Table;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExtensionResourceVolumeControlTest {

  private final ControlTestServer ts = new ControlTestServer();

  @AfterEach
  void stop() throws InterruptedException {
    ts.close();
  }

  private Extension createExtension(String name) {
    return ts.client.createExtension(CreateExtensionRequest.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName(name)).setDescription("test kind").build()).getExtension();
  }

  private Resource createResource(String name, String kind) {
    return ts.client.createResource(CreateResourceRequest.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName(name)).setKind(kind)
        .setPayload(Any.newBuilder().setTypeUrl("t").setValue(ByteString.copyFromUtf8(name))).build()).getResource();
  }

  @Test
  void extensionsAreCreatedOnceAndRemovableOnlyWithoutResources() {
    Extension ext = createExtension("dns");
    assertThat(ts.client.getExtension(GetExtensionRequest.newBuilder().setExtensionId(ext.getId()).build())
        .getExtension().getDescription()).isEqualTo("test kind");
    assertFails(() -> createExtension("dns"), Status.Code.ALREADY_EXISTS, "extension dns already exists");
    assertFails(() -> ts.client.createExtension(CreateExtensionRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, "extension name must be provided");

    Resource record = createResource("www", "dns");
    assertFails(() -> ts.client.removeExtension(RemoveExtensionRequest.newBuilder().setExtensionId(ext.getId()).build()),
        Status.Code.INVALID_ARGUMENT, "extension 'dns' is in use by the following resource: www");

    ts.client.removeResource(RemoveResourceRequest.newBuilder().setResourceId(record.getId()).build());
    ts.client.removeExtension(RemoveExtensionRequest.newBuilder().setExtensionId(ext.getId()).build());
    assertThat(ts.snapshot()).isEmpty();
  }

  @Test
  void resourcesNeedANameAndARegisteredKind() {
    assertFails(() -> createResource("", "dns"), Status.Code.INVALID_ARGUMENT, "Resource must have a name");
    assertFails(() -> createResource("www", ""), Status.Code.INVALID_ARGUMENT, "Resource must belong to an Extension");
    assertFails(() -> createResource("www", "dns"), Status.Code.INVALID_ARGUMENT, "Kind dns is not registered");
    assertThat(ts.snapshot()).isEmpty();
    createExtension("dns");
    createResource("www", "dns");
    assertFails(() -> createResource("www", "dns"), Status.Code.ALREADY_EXISTS,
        "A resource with name www already exists");
  }

  @Test
  void resourcesAreUpdatedListedAndRemoved() {
    createExtension("dns");
    createExtension("lb");
    Resource www = createResource("www", "dns");
    createResource("api", "dns");
    Resource pool = createResource("pool", "lb");

    Resource updated = ts.client.updateResource(UpdateResourceRequest.newBuilder().setResourceId(www.getId())
        .setResourceVersion(www.getMeta().getVersion())
        .setAnnotations(Annotations.newBuilder().setName("www").putLabels("ttl", "60")).build()).getResource();
    assertThat(updated.getAnnotations().getLabelsMap()).containsEntry("ttl", "60");
    assertThat(updated.getPayload()).isEqualTo(www.getPayload());
    assertFails(() -> ts.client.updateResource(UpdateResourceRequest.newBuilder().setResourceId(www.getId())
            .setResourceVersion(updated.getMeta().getVersion())
            .setAnnotations(Annotations.newBuilder().setName("renamed")).build()),
        Status.Code.INVALID_ARGUMENT, "cannot change resource name");
    assertFails(() -> ts.client.updateResource(UpdateResourceRequest.newBuilder().setResourceId(www.getId())
            .setResourceVersion(www.getMeta().getVersion()).build()),
        Status.Code.INVALID_ARGUMENT, "update out of sequence");
    assertFails(() -> ts.client.updateResource(UpdateResourceRequest.newBuilder().setResourceId(www.getId()).build()),
        Status.Code.INVALID_ARGUMENT, "must include ID and version");

    assertThat(listResources(ListResourcesRequest.Filters.newBuilder().setKind("lb").build()))
        .containsExactly(pool.getId());
    assertThat(listResources(ListResourcesRequest.Filters.newBuilder().setKind("dns").addNamePrefixes("w").build()))
        .containsExactly(www.getId());
    assertThat(listResources(ListResourcesRequest.Filters.newBuilder().putLabels("ttl", "60").build()))
        .containsExactly(www.getId());

    ts.client.removeResource(RemoveResourceRequest.newBuilder().setResourceId(www.getId()).build());
    assertFails(() -> ts.client.getResource(GetResourceRequest.newBuilder().setResourceId(www.getId()).build()),
        Status.Code.NOT_FOUND, "resource " + www.getId() + " not found");
    assertFails(() -> ts.client.removeResource(RemoveResourceRequest.newBuilder().setResourceId(www.getId()).build()),
        Status.Code.NOT_FOUND, "resource " + www.getId() + " not found");
  }

  private List<String> listResources(ListResourcesRequest.Filters filters) {
    return ts.client.listResources(ListResourcesRequest.newBuilder().setFilters(filters).build())
        .getResourcesList().stream().map(Resource::getId).toList();
  }

  private static VolumeSpec.Builder volumeSpec(String name) {
    return VolumeSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name)).setGroup("g1")
        .setDriver(Driver.newBuilder().setName("csi-local"))
        .setAccessMode(VolumeAccessMode.newBuilder().setMount(VolumeAccessMode.MountVolume.getDefaultInstance()));
  }

  private Volume createVolume(VolumeSpec.Builder spec) {
    return ts.client.createVolume(CreateVolumeRequest.newBuilder().setSpec(spec).build()).getVolume();
  }

  @Test
  void createVolumeValidatesTheSpec() {
    assertFails(() -> ts.client.createVolume(CreateVolumeRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT, "spec must not be nil");
    assertFails(() -> createVolume(volumeSpec("v").clearDriver()), Status.Code.INVALID_ARGUMENT,
        "driver must be specified");
    assertFails(() -> createVolume(volumeSpec("")), Status.Code.INVALID_ARGUMENT, "meta: name must be provided");
    assertFails(() -> createVolume(volumeSpec("v").clearAccessMode()), Status.Code.INVALID_ARGUMENT,
        "AccessMode must not be nil");
    assertFails(() -> createVolume(volumeSpec("v").setAccessMode(VolumeAccessMode.getDefaultInstance())),
        Status.Code.INVALID_ARGUMENT, "Volume AccessMode must specify either Mount or Block access type");
    assertFails(() -> createVolume(volumeSpec("v").addSecrets(VolumeSecret.newBuilder().setKey("k").setSecret("s1"))
            .addSecrets(VolumeSecret.newBuilder().setKey("k2").setSecret("s2"))),
        Status.Code.INVALID_ARGUMENT, "secrets not found: s1, s2");
    assertThat(ts.snapshot()).isEmpty();
  }

  @Test
  void createVolumeIsRefusedBecauseNoCsiPluginCanProvisionIt() {
    assertFails(() -> createVolume(volumeSpec("data")), Status.Code.UNIMPLEMENTED,
        "volume driver csi-local is not available: cluster volumes need a CSI plugin, "
            + "and CSI plugins are not supported by this swarm");
    assertThat(ts.snapshot()).isEmpty();
  }

  @Test
  void volumesUpdateOnlyLabelsAndAvailabilityAndAreRemovedWhenUnused() {
    // Written as a CSI-capable manager would have; this one refuses to create volumes.
    Volume seeded = Volume.newBuilder().setId("v1").setSpec(volumeSpec("data")).build();
    ts.store.update(tx -> tx.create(Table.VOLUMES, seeded));
    Volume volume = ts.get(Table.VOLUMES, "v1").orElseThrow();
    assertThat(ts.client.getVolume(GetVolumeRequest.newBuilder().setVolumeId(volume.getId()).build()).getVolume())
        .isEqualTo(volume);
    UpdateVolumeRequest.Builder update = UpdateVolumeRequest.newBuilder().setVolumeId(volume.getId())
        .setVolumeVersion(volume.getMeta().getVersion());

    assertFails(() -> ts.client.updateVolume(update.setSpec(volumeSpec("data").setGroup("g2")).build()),
        Status.Code.INVALID_ARGUMENT, "Group cannot be updated");
    Volume drained = ts.client.updateVolume(update.setSpec(volumeSpec("data")
        .setAvailability(VolumeSpec.VolumeAvailability.DRAIN)
        .setAnnotations(Annotations.newBuilder().setName("data").putLabels("tier", "gold"))).build()).getVolume();
    assertThat(drained.getSpec().getAvailability()).isEqualTo(VolumeSpec.VolumeAvailability.DRAIN);
    assertThat(drained.getSpec().getAnnotations().getLabelsMap()).containsEntry("tier", "gold");

    assertThat(ts.client.listVolumes(ListVolumesRequest.newBuilder().setFilters(ListVolumesRequest.Filters
        .newBuilder().addDrivers("csi-local").addGroups("g1")).build()).getVolumesList()).containsExactly(drained);
    assertThat(ts.client.listVolumes(ListVolumesRequest.newBuilder().setFilters(ListVolumesRequest.Filters
        .newBuilder().addGroups("other")).build()).getVolumesList()).isEmpty();

    ts.store.update(tx -> tx.update(Table.VOLUMES, ts.get(Table.VOLUMES, volume.getId()).orElseThrow().toBuilder()
        .addPublishStatus(VolumePublishStatus.newBuilder().setNodeId("n1")).build()));
    assertFails(() -> ts.client.removeVolume(RemoveVolumeRequest.newBuilder().setVolumeId(volume.getId()).build()),
        Status.Code.FAILED_PRECONDITION, "volume is still in use");
    ts.store.update(tx -> tx.update(Table.VOLUMES, ts.get(Table.VOLUMES, volume.getId()).orElseThrow().toBuilder()
        .clearPublishStatus().build()));

    ts.client.removeVolume(RemoveVolumeRequest.newBuilder().setVolumeId(volume.getId()).build());
    assertThat(ts.get(Table.VOLUMES, volume.getId()).orElseThrow().getPendingDelete()).isTrue();
    ts.client.removeVolume(RemoveVolumeRequest.newBuilder().setVolumeId(volume.getId()).setForce(true).build());
    assertThat(ts.get(Table.VOLUMES, volume.getId())).isEmpty();
  }
}
