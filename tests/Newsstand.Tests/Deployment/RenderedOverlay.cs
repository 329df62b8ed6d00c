using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Newsstand.Tests.Infrastructure;

namespace Newsstand.Tests.Deployment;

/// <summary>
/// One kustomize overlay of <c>k8s/</c>, rendered by <c>kubectl kustomize</c> and parsed strictly into
/// KubernetesClient's typed models: a misspelt or misplaced field fails the parse.
/// </summary>
internal sealed class RenderedOverlay
{
    private static readonly ConcurrentDictionary<string, Task<RenderedOverlay>> Rendered = new(StringComparer.Ordinal);

    private RenderedOverlay(string name, IReadOnlyList<object> objects, string warnings)
    {
        Name = name;
        Objects = objects;
        Warnings = warnings;
    }

    public string Name { get; }

    /// <summary>What kustomize printed on stderr while rendering (deprecated fields, for instance).</summary>
    public string Warnings { get; }

    public IReadOnlyList<object> Objects { get; }

    public static string OverlaysFolder => Repository.PathOf("k8s", "overlays");

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public V1Deployment Deployment(string name) => Single<V1Deployment>(d => d.Metadata.Name == name, name);

    public V1Container Container(string deployment) => Deployment(deployment).Spec.Template.Spec.Containers.Single();

    /// <summary>Pod templates of every workload, with their owner's name.</summary>
    public IEnumerable<(string Owner, V1PodTemplateSpec Template)> PodTemplates() =>
        All<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Template))
            .Concat(All<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Template)));

    /// <summary>
    /// The container's environment as the pod sees it: <c>envFrom</c> ConfigMaps of this overlay, then
    /// <c>env</c> (later wins); values from the downward API or a Secret become a placeholder naming their source.
    /// </summary>
    public Dictionary<string, EnvironmentValue> Environment(V1Container container)
    {
        var environment = new Dictionary<string, EnvironmentValue>(StringComparer.Ordinal);
        foreach (var source in container.EnvFrom ?? [])
        {
            var map = Single<V1ConfigMap>(c => c.Metadata.Name == source.ConfigMapRef?.Name, source.ConfigMapRef?.Name ?? "(not a ConfigMap)");
            foreach (var (key, value) in map.Data)
            {
                environment[key] = new(value, EnvironmentSource.ConfigMap);
            }
        }
        foreach (var variable in container.Env ?? [])
        {
            environment[variable.Name] = variable switch
            {
                { Value: { } value } => new(value, EnvironmentSource.Literal),
                { ValueFrom.FieldRef.FieldPath: { } field } => new(Placeholder(field), EnvironmentSource.DownwardApi),
                { ValueFrom.SecretKeyRef: { } secret } => new($"secret-{secret.Name}-{secret.Key}", EnvironmentSource.Secret),
                _ => throw new InvalidOperationException($"{variable.Name}: a value source these tests do not know."),
            };
        }
        // Kubernetes expands $(NAME) from variables defined before; every use here refers to the downward API.
        return environment.ToDictionary(e => e.Key, e => e.Value with { Value = Expand(e.Value.Value, environment) }, StringComparer.Ordinal);
    }

    /// <summary>The overlay rendered once per test run (every test reads the same output).</summary>
    public static Task<RenderedOverlay> RenderAsync(string overlay) => Rendered.GetOrAdd(overlay, RenderOnceAsync);

    private static async Task<RenderedOverlay> RenderOnceAsync(string overlay)
    {
        var (output, warnings) = await Commands.RunCapturingAsync("kubectl", "kustomize", Path.Combine(OverlaysFolder, overlay));
        return new RenderedOverlay(overlay, KubernetesYaml.LoadAllFromString(output, strict: true), warnings);
    }

    private T Single<T>(Func<T, bool> match, string name)
    {
        var found = All<T>().Where(match).ToList();
        Assert.True(found.Count == 1, $"{Name}: expected one {typeof(T).Name} named {name}, found {found.Count}.");
        return found[0];
    }

    private static string Placeholder(string field) => field switch
    {
        "status.podIP" => "10.0.0.7",
        "metadata.name" => "nsms-pod-0",
        "metadata.namespace" => "nsms-namespace",
        _ => "field-" + field,
    };

    private static string Expand(string value, Dictionary<string, EnvironmentValue> environment) =>
        environment.Aggregate(value, (text, variable) => text.Replace($"$({variable.Key})", variable.Value.Value, StringComparison.Ordinal));
}

internal enum EnvironmentSource
{
    Literal,
    ConfigMap,
    DownwardApi,
    Secret,
}

internal sealed record EnvironmentValue(string Value, EnvironmentSource Source);
