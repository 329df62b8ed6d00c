extern alias silo;
using System.Globalization;
using System.Text.RegularExpressions;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Newsstand.Api.Hosting;
using Newsstand.Client.Hosting;
using Newsstand.Hosting;
using SiloHosting = silo::Newsstand.Silo.Hosting;

namespace Newsstand.Tests.Deployment;

/// <summary>
/// Every overlay under <c>k8s/overlays</c>, rendered by <c>kubectl kustomize</c> and parsed into typed
/// Kubernetes objects, checked against itself and against what the code serves and reads.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private const string Silo = "nsms-silo";
    private const string Client = "nsms-client";

    /// <summary>Prod in the co-hosted form: the silos serve the API, there is no web client Deployment.</summary>
    private const string CoHosted = "cohosted";

    public static TheoryData<string> Overlays()
    {
        var overlays = new TheoryData<string>();
        foreach (var folder in Directory.GetDirectories(RenderedOverlay.OverlaysFolder).Order())
        {
            overlays.Add(Path.GetFileName(folder));
        }
        return overlays;
    }

    [Fact]
    public void ThereAreDevProdAndCoHostedOverlays() =>
        Assert.Equal([CoHosted, "dev", "prod"], Directory.GetDirectories(RenderedOverlay.OverlaysFolder).Select(Path.GetFileName).Order());

    [Theory, MemberData(nameof(Overlays))]
    public async Task TheOverlayHoldsEveryPartOfTheDeployment(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);

        Assert.Equal(3, rendered.Deployment(Silo).Spec.Replicas);
        Assert.Single(rendered.All<V1PodDisruptionBudget>(), pdb => pdb.Metadata.Name == Silo);
        var api = Assert.Single(rendered.All<V1Service>(), service => service.Metadata.Name == Client);
        var ingress = Assert.Single(rendered.All<V1Ingress>());
        Assert.Equal(Client, ingress.Spec.Rules.Single().Http.Paths.Single().Backend.Service.Name);
        if (overlay == CoHosted)
        {
            // The API's Service (behind the Ingress) sends requests to the silos, which serve the API themselves.
            Assert.DoesNotContain(rendered.All<V1Deployment>(), deployment => deployment.Metadata.Name == Client);
            Assert.Empty(rendered.All<V2HorizontalPodAutoscaler>());
            Assert.Equal(Silo, api.Spec.Selector["app.kubernetes.io/name"]);
            Assert.Equal("true", rendered.Environment(rendered.Container(Silo))["Silo__ServeApi"].Value);
        }
        else
        {
            var autoscaler = Assert.Single(rendered.All<V2HorizontalPodAutoscaler>());
            Assert.Equal(("Deployment", Client), (autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
            Assert.Equal(Client, api.Spec.Selector["app.kubernetes.io/name"]);
            Assert.DoesNotContain("Silo__ServeApi", rendered.Environment(rendered.Container(Silo)).Keys);
        }
        Assert.Contains(rendered.All<V1StatefulSet>(), set => set.Metadata.Name == "nsms-redis");
        Assert.Contains(rendered.All<V1NetworkPolicy>(), policy => policy.Spec.PodSelector.MatchLabels?["app.kubernetes.io/name"] == Silo);
        if (overlay == "dev")
        {
            var postgres = Assert.Single(rendered.All<V1StatefulSet>(), set => set.Metadata.Name == "nsms-postgres");
            Assert.NotEmpty(postgres.Spec.VolumeClaimTemplates);
        }
        else
        {
            Assert.DoesNotContain(rendered.All<V1StatefulSet>(), set => set.Metadata.Name == "nsms-postgres");
            Assert.Empty(rendered.All<V1Secret>());
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task SelectorsAndServicePortsMatchThePods(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var pods = rendered.PodTemplates().ToList();

        foreach (var deployment in rendered.All<V1Deployment>())
        {
            Assert.True(Matches(deployment.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels), $"{deployment.Metadata.Name}: selector does not match its pods.");
        }
        foreach (var service in rendered.All<V1Service>())
        {
            var selected = pods.Where(pod => Matches(service.Spec.Selector, pod.Template.Metadata.Labels)).ToList();
            Assert.True(selected.Count > 0, $"Service {service.Metadata.Name} selects no pods.");
            foreach (var port in service.Spec.Ports)
            {
                Assert.True(selected.All(pod => HasContainerPort(pod.Template, port.TargetPort.Value)),
                    $"Service {service.Metadata.Name}: target port {port.TargetPort.Value} is no container port of its pods.");
            }
        }
        foreach (var budget in rendered.All<V1PodDisruptionBudget>())
        {
            Assert.Contains(pods, pod => Matches(budget.Spec.Selector.MatchLabels, pod.Template.Metadata.Labels));
        }
        foreach (var policy in rendered.All<V1NetworkPolicy>())
        {
            var selected = pods.Where(pod => Matches(policy.Spec.PodSelector.MatchLabels, pod.Template.Metadata.Labels)).ToList();
            Assert.True(selected.Count > 0, $"NetworkPolicy {policy.Metadata.Name} selects no pods.");
            foreach (var port in policy.Spec.Ingress.SelectMany(rule => rule.Ports ?? []))
            {
                Assert.True(selected.All(pod => HasContainerPort(pod.Template, port.Port.Value)), $"NetworkPolicy {policy.Metadata.Name}: port {port.Port.Value} is no container port.");
            }
        }
        Assert.All(rendered.All<V1StatefulSet>(), set => Assert.Contains(rendered.All<V1Service>(), service => service.Metadata.Name == set.Spec.ServiceName));
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task PortsAndProbesAreTheOnesTheHostsServe(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);

        var silo = rendered.Container(Silo);
        var siloEnvironment = rendered.Environment(silo);
        Assert.Equal(PortOfUrl(siloEnvironment["Urls"].Value), PortNamed(silo, "http"));
        Assert.Equal(PortOfUrl(siloEnvironment["Dashboard__AdminUrl"].Value), PortNamed(silo, "admin"));
        Assert.Equal(int.Parse(siloEnvironment["Orleans__SiloPort"].Value, CultureInfo.InvariantCulture), PortNamed(silo, "silo"));
        Assert.Equal(int.Parse(siloEnvironment["Orleans__GatewayPort"].Value, CultureInfo.InvariantCulture), PortNamed(silo, "gateway"));
        AssertProbes(silo, Newsstand.Hosting.HealthExtensions.LivePath, Newsstand.Hosting.HealthExtensions.ReadyPath);

        if (overlay != CoHosted)
        {
            var client = rendered.Container(Client);
            Assert.Equal(PortOfUrl(rendered.Environment(client)["Urls"].Value), PortNamed(client, "http"));
            AssertProbes(client, Newsstand.Hosting.HealthExtensions.LivePath, Newsstand.Hosting.HealthExtensions.ReadyPath);
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task EveryVariableTheManifestsSetIsAKeyTheCodeReads(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);

        foreach (var (deployment, keys) in new[] { (Silo, overlay == CoHosted ? ConfigurationKeys.CoHostedSilo : ConfigurationKeys.Silo), (Client, ConfigurationKeys.Client) }.Where(d => Has(rendered, d.Item1)))
        {
            var container = rendered.Container(deployment);
            var helpers = (container.Env ?? []).Where(e => e.Value is null).Select(e => e.Name)
                .Where(name => (container.Env ?? []).Any(other => other.Value?.Contains($"$({name})", StringComparison.Ordinal) == true)).ToHashSet();
            var unread = rendered.Environment(container).Keys
                .Where(name => !helpers.Contains(name) && !keys.Contains(ArrayIndex().Replace(ConfigurationKeys.KeyOf(name), "")))
                .ToList();
            Assert.True(unread.Count == 0, $"{overlay}/{deployment} sets variables no code reads: {string.Join(", ", unread)}");
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task EveryRequiredKeyIsSetAndTheHostsAcceptTheirConfiguration(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var silo = Configuration(rendered.Environment(rendered.Container(Silo)));

        // The silo's own start-up validation, on exactly what the pod would see.
        var cluster = Settings.Read<SiloHosting.SiloClusterOptions>(silo, SiloHosting.SiloClusterOptions.SectionName);
        Assert.True(cluster.UsesRedis, "The silos must use Redis clustering in Kubernetes.");
        Assert.Equal("10.0.0.7", cluster.AdvertisedAddress);
        Assert.Equal("nsms-pod-0", cluster.EffectiveSiloName);
        Assert.False(string.IsNullOrWhiteSpace(silo["Database:Postgres"]), "The silos need the PostgreSQL connection string.");
        var dashboard = Settings.Read<SiloHosting.DashboardAccessOptions>(silo, SiloHosting.DashboardAccessOptions.SectionName);
        Assert.NotNull(dashboard.AdminPort);

        Assert.Equal(overlay == CoHosted, Settings.Read<SiloHosting.ServedApiOptions>(silo, SiloHosting.ServedApiOptions.SectionName).ServeApi);
        if (Has(rendered, Client))
        {
            var client = Configuration(rendered.Environment(rendered.Container(Client)));
            var clientCluster = Settings.Read<ClusterClientOptions>(client, ClusterClientOptions.SectionName);
            Assert.Equal((cluster.ClusterId, cluster.ServiceId, cluster.RedisClustering), (clientCluster.ClusterId, clientCluster.ServiceId, clientCluster.RedisClustering));
        }

        var labels = rendered.Deployment(Silo).Spec.Template.Metadata.Labels;
        Assert.Equal((cluster.ServiceId, cluster.ClusterId), (labels["orleans/serviceId"], labels["orleans/clusterId"]));

        // Production sits behind the ingress: whatever serves the API (the web client, or the silo when co-hosted)
        // believes forwarded headers from the ingress network only.
        var api = Has(rendered, Client) ? Configuration(rendered.Environment(rendered.Container(Client))) : silo;
        var proxies = Settings.Read<TrustedProxyOptions>(api, TrustedProxyOptions.SectionName);
        Assert.Equal(overlay is "prod" or CoHosted, proxies.Configured);
    }

    [Theory, MemberData(nameof(Overlays))]
    public async Task SecretsComeFromSecretsAndShutdownFitsTheGracePeriod(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        foreach (var deployment in new[] { Silo, Client }.Where(name => Has(rendered, name)))
        {
            var environment = rendered.Environment(rendered.Container(deployment));
            foreach (var (name, value) in environment.Where(e => SecretName().IsMatch(e.Key) || e.Key == "Database__Postgres"))
            {
                Assert.True(value.Source == EnvironmentSource.Secret, $"{deployment}: {name} must come from a Secret.");
            }
            var pod = rendered.Deployment(deployment).Spec.Template.Spec;
            var shutdown = int.Parse(environment["DOTNET_SHUTDOWNTIMEOUTSECONDS"].Value, CultureInfo.InvariantCulture);
            Assert.True(pod.TerminationGracePeriodSeconds > shutdown, $"{deployment}: the grace period must exceed the host's shutdown timeout.");
            Assert.True(pod.SecurityContext.RunAsNonRoot, $"{deployment} must run as non-root.");
            Assert.Equal("0", rendered.Deployment(deployment).Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        }
    }

    [Theory]
    [InlineData("silo/Dockerfile", Silo)]
    [InlineData("client/Dockerfile", Client)]
    public async Task TheImagesAreMultiStageNonRootWithAHealthCheckOnTheServedPorts(string dockerfile, string deployment)
    {
        var lines = File.ReadAllLines(Infrastructure.Repository.PathOf(dockerfile)).Select(line => line.Trim()).ToList();
        var finalStage = lines.Skip(lines.FindLastIndex(line => line.StartsWith("FROM ", StringComparison.Ordinal))).ToList();
        var container = (await RenderedOverlay.RenderAsync("prod")).Container(deployment);

        Assert.True(lines.Count(line => line.StartsWith("FROM ", StringComparison.Ordinal)) >= 2, "Multi-stage build expected.");
        Assert.Contains(finalStage, line => line.StartsWith("USER ", StringComparison.Ordinal) && !line.EndsWith(" root", StringComparison.Ordinal) && !line.EndsWith(" 0", StringComparison.Ordinal));
        var healthcheck = Assert.Single(finalStage, line => line.StartsWith("HEALTHCHECK", StringComparison.Ordinal));
        var exposed = finalStage.Single(line => line.StartsWith("EXPOSE ", StringComparison.Ordinal))[7..].Split(' ').Select(int.Parse).Order();
        Assert.Equal(container.Ports.Select(port => port.ContainerPort).Order(), exposed);
        var checkedLine = string.Join(' ', finalStage.SkipWhile(line => !line.StartsWith("HEALTHCHECK", StringComparison.Ordinal)).Take(2));
        Assert.Contains($":{PortNamed(container, "http")}{Newsstand.Hosting.HealthExtensions.LivePath}", checkedLine, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, line => line.StartsWith("ENV ", StringComparison.Ordinal) && SecretName().IsMatch(line));
        Assert.NotNull(healthcheck);
    }

    [Theory]
    [InlineData("silo/Dockerfile", "silo/Newsstand.Silo/Newsstand.Silo.csproj")]
    [InlineData("client/Dockerfile", "client/Newsstand.Client/Newsstand.Client.csproj")]
    public void EachImageCopiesEveryProjectItsHostBuildsFrom(string dockerfile, string host)
    {
        var root = Infrastructure.Repository.Root;
        var copies = File.ReadAllLines(Path.Combine(root, dockerfile)).Where(line => line.TrimStart().StartsWith("COPY ", StringComparison.Ordinal)).ToList();
        var projects = new HashSet<string>();
        var pending = new Stack<string>([Path.GetFullPath(Path.Combine(root, host))]);
        while (pending.TryPop(out var project))
        {
            if (projects.Add(project))
            {
                foreach (var reference in System.Xml.Linq.XDocument.Load(project).Descendants("ProjectReference"))
                {
                    pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value.Replace('\\', '/'))));
                }
            }
        }

        foreach (var project in projects.Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')))
        {
            // The project file before the restore, and its folder (or a parent) before the publish.
            Assert.Contains(copies, line => line.Contains($" {project} ", StringComparison.Ordinal));
            Assert.Contains(copies, line => line.Split(' ').Skip(1).Any(source => source.EndsWith('/') && project.StartsWith(source, StringComparison.Ordinal)));
        }
    }

    private static void AssertProbes(V1Container container, string live, string ready)
    {
        var http = PortNamed(container, "http");
        foreach (var (probe, path) in new[] { (container.LivenessProbe, live), (container.ReadinessProbe, ready), (container.StartupProbe, (string?)null) })
        {
            Assert.NotNull(probe?.HttpGet);
            Assert.Contains(probe.HttpGet.Path, new[] { live, ready });
            if (path is not null)
            {
                Assert.Equal(path, probe.HttpGet.Path);
            }
            Assert.Equal(http, PortNumber(container, probe.HttpGet.Port.Value));
        }
    }

    private static bool Has(RenderedOverlay rendered, string deployment) => rendered.All<V1Deployment>().Any(d => d.Metadata.Name == deployment);

    private static IConfiguration Configuration(Dictionary<string, EnvironmentValue> environment) =>
        new ConfigurationBuilder().AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(ConfigurationKeys.KeyOf(e.Key), (string?)e.Value.Value))).Build();

    private static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    private static bool HasContainerPort(V1PodTemplateSpec pod, string port) =>
        pod.Spec.Containers.SelectMany(c => c.Ports ?? []).Any(p => p.Name == port || p.ContainerPort.ToString(CultureInfo.InvariantCulture) == port);

    private static int PortNamed(V1Container container, string name) => container.Ports.Single(port => port.Name == name).ContainerPort;

    private static int PortNumber(V1Container container, string nameOrNumber) =>
        int.TryParse(nameOrNumber, CultureInfo.InvariantCulture, out var number) ? number : PortNamed(container, nameOrNumber);

    private static int PortOfUrl(string url) => int.Parse(UrlPort().Match(url).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@":([0-9]+)/?$")]
    private static partial Regex UrlPort();

    [GeneratedRegex(@":[0-9]+$")]
    private static partial Regex ArrayIndex();

    [GeneratedRegex("(?i)password|secret|token|apikey")]
    private static partial Regex SecretName();
}
