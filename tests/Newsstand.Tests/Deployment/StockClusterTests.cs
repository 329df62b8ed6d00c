using k8s.Models;
using StackExchange.Redis;
using YamlDotNet.RepresentationModel;

namespace Newsstand.Tests.Deployment;

/// <summary>
/// What a stock Kubernetes cluster needs from the manifests: no shared (ReadWriteMany) storage, a Redis that
/// keeps the membership table across restarts behind a password, the API behind an Ingress with TLS, an
/// autoscaler that alone owns the client's replica count, image names the deployer sets, the dashboard open
/// to operations only, and kustomize fields that render without a warning.
/// </summary>
public sealed class StockClusterTests
{
    private const string OperationsLabel = "nsms.io/operations";

    public static TheoryData<string> Overlays() => KubernetesManifestTests.Overlays();

    [Theory, MemberData(nameof(Overlays))]
    public async Task KustomizeRendersTheOverlayWithoutAWarning(string overlay)
    {
        var warnings = (await RenderedOverlay.RenderAsync(overlay)).Warnings.Trim();

        Assert.True(warnings.Length == 0, $"kubectl kustomize k8s/overlays/{overlay} warned:\n{warnings}");
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task NoVolumeIsSharedBetweenPodsAndTheSiloDataFolderIsScratchSpace(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);

        var claims = rendered.All<V1PersistentVolumeClaim>().Select(claim => claim.Spec)
            .Concat(rendered.All<V1StatefulSet>().SelectMany(set => set.Spec.VolumeClaimTemplates ?? []).Select(claim => claim.Spec));
        Assert.All(claims, claim => Assert.Equal(["ReadWriteOnce"], claim.AccessModes));

        var folder = rendered.Environment(rendered.Container("nsms-silo"))["Database__DataDirectory"].Value;
        var mount = Assert.Single(rendered.Container("nsms-silo").VolumeMounts, m => m.MountPath == folder);
        var volume = Assert.Single(rendered.Deployment("nsms-silo").Spec.Template.Spec.Volumes, v => v.Name == mount.Name);
        Assert.NotNull(volume.EmptyDir);
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task RedisKeepsItsAppendOnlyFileOnItsOwnVolumeBehindAPasswordFromASecret(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var redis = Assert.Single(rendered.All<V1StatefulSet>(), set => set.Metadata.Name == "nsms-redis");
        var container = redis.Spec.Template.Spec.Containers.Single();
        var arguments = Arguments(container.Args);

        Assert.Equal(1, redis.Spec.Replicas);
        Assert.Equal("yes", arguments["--appendonly"]);
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == arguments["--dir"]);
        var claim = Assert.Single(redis.Spec.VolumeClaimTemplates, c => c.Metadata.Name == mount.Name);
        Assert.Equal(["ReadWriteOnce"], claim.Spec.AccessModes);

        var password = arguments["--requirepass"];
        Assert.StartsWith("$(", password, StringComparison.Ordinal);
        var variable = Assert.Single(container.Env, e => $"$({e.Name})" == password);
        Assert.NotNull(variable.ValueFrom?.SecretKeyRef);
        var secret = $"secret-{variable.ValueFrom.SecretKeyRef.Name}-{variable.ValueFrom.SecretKeyRef.Key}";

        var service = Assert.Single(rendered.All<V1Service>(), s => s.Metadata.Name == redis.Spec.ServiceName);
        foreach (var host in Hosts(rendered))
        {
            var connection = rendered.Environment(rendered.Container(host))["Orleans__RedisClustering"];
            Assert.Equal(EnvironmentSource.Literal, connection.Source);
            var options = ConfigurationOptions.Parse(connection.Value);
            Assert.Equal(secret, options.Password);
            var endpoint = Assert.IsType<System.Net.DnsEndPoint>(Assert.Single(options.EndPoints));
            Assert.Equal((service.Metadata.Name, service.Spec.Ports.Single().Port), (endpoint.Host, endpoint.Port));
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task TheApiIsServedThroughAnIngressWithTlsFromASecret(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var ingress = Assert.Single(rendered.All<V1Ingress>());

        var tlsHosts = ingress.Spec.Tls.SelectMany(tls => tls.Hosts).ToHashSet();
        Assert.All(ingress.Spec.Tls, tls => Assert.False(string.IsNullOrWhiteSpace(tls.SecretName)));
        Assert.DoesNotContain(rendered.All<V1Secret>(), secret => ingress.Spec.Tls.Any(tls => tls.SecretName == secret.Metadata.Name));
        Assert.NotEmpty(ingress.Spec.Rules);
        foreach (var rule in ingress.Spec.Rules)
        {
            Assert.Contains(rule.Host, tlsHosts);
            var backend = Assert.Single(rule.Http.Paths).Backend.Service;
            var service = Assert.Single(rendered.All<V1Service>(), s => s.Metadata.Name == backend.Name);
            Assert.Contains(service.Spec.Ports, port => port.Name == backend.Port.Name);
            // The pods that serve the API: the web client's, or in the co-hosted form the silos'.
            Assert.Equal(ApiServer(rendered), service.Spec.Selector["app.kubernetes.io/name"]);
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task TheAutoscalerAloneOwnsTheReplicaCountOfWhatItScales(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);

        foreach (var autoscaler in rendered.All<V2HorizontalPodAutoscaler>())
        {
            var target = rendered.Deployment(autoscaler.Spec.ScaleTargetRef.Name);
            Assert.Null(target.Spec.Replicas);
            Assert.InRange(autoscaler.Spec.MinReplicas ?? 1, 2, autoscaler.Spec.MaxReplicas);
        }
        // The separate web client scales on its own; co-hosted, the silos (a fixed count) are the API.
        Assert.Equal(ApiServer(rendered) == "nsms-client", rendered.All<V2HorizontalPodAutoscaler>().Any());
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task OurImagesAreTheOnesTheOverlaysImagesEntryNames(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var images = ImagesEntry(overlay);

        foreach (var deployment in Hosts(rendered))
        {
            var (newName, newTag) = images[deployment];
            Assert.Equal($"{newName}:{newTag}", rendered.Container(deployment).Image);
        }
        Assert.All(rendered.PodTemplates().SelectMany(pod => pod.Template.Spec.Containers),
            container => Assert.Matches(@"^[^:@]+(:(?!latest$)[\w.-]+|@sha256:[0-9a-f]{64})$", container.Image));
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task TheDashboardPortAdmitsOnlyPodsOrNamespacesLabelledForOperations(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var policies = rendered.All<V1NetworkPolicy>()
            .Where(policy => policy.Spec.PodSelector.MatchLabels?["app.kubernetes.io/name"] == "nsms-silo").ToList();
        var admin = rendered.Container("nsms-silo").Ports.Single(port => port.Name == "admin");

        var rules = policies.SelectMany(policy => policy.Spec.Ingress)
            .Where(rule => rule.Ports is null || rule.Ports.Any(port => port.Port.Value == admin.Name || port.Port.Value == admin.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

        Assert.NotEmpty(rules);
        Assert.All(rules, rule =>
        {
            Assert.NotEmpty(rule.FromProperty ?? []);
            Assert.All(rule.FromProperty!, peer =>
            {
                Assert.Null(peer.IpBlock);
                var selector = peer.PodSelector ?? peer.NamespaceSelector;
                Assert.Equal("true", selector?.MatchLabels?[OperationsLabel]);
                Assert.True(peer.PodSelector is null || peer.NamespaceSelector is null, "A peer with both selectors would need both labels; keep them apart.");
            });
        });
    }

    private static readonly string[] OurDeployments = ["nsms-silo", "nsms-client"];

    /// <summary>Our Deployments in this overlay: the silos, and the web client unless the silos serve the API.</summary>
    private static IEnumerable<string> Hosts(RenderedOverlay rendered) =>
        OurDeployments.Where(name => rendered.All<V1Deployment>().Any(d => d.Metadata.Name == name));

    private static string ApiServer(RenderedOverlay rendered) => Hosts(rendered).Contains("nsms-client") ? "nsms-client" : "nsms-silo";

    /// <summary>The overlay's <c>images:</c> entries, by name: what <c>kustomize edit set image</c> changes.</summary>
    private static Dictionary<string, (string NewName, string NewTag)> ImagesEntry(string overlay)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(Path.Combine(RenderedOverlay.OverlaysFolder, overlay, "kustomization.yaml")))
        {
            yaml.Load(reader);
        }
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return ((YamlSequenceNode)root["images"]).Cast<YamlMappingNode>().ToDictionary(
            entry => entry["name"].ToString(),
            entry => (entry["newName"].ToString(), entry["newTag"].ToString()));
    }

    private static Dictionary<string, string> Arguments(IList<string> arguments)
    {
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < arguments.Count; i += 2)
        {
            Assert.StartsWith("--", arguments[i], StringComparison.Ordinal);
            named[arguments[i]] = arguments[i + 1];
        }
        return named;
    }
}
