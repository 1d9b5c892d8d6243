using System.Collections.Concurrent;

namespace DeployMind.Pipeline.Agents;

/// <summary>A typed name for something one stage hands to later ones (the checkout, the built image, ...).</summary>
public sealed record ArtifactKey<T>(string Name) where T : class;

/// <summary>What stages of one deployment hand to each other.</summary>
public sealed class ArtifactBag
{
    private readonly ConcurrentDictionary<string, object> _items = new(StringComparer.Ordinal);

    public void Set<T>(ArtifactKey<T> key, T value) where T : class => _items[key.Name] = value;

    public T? Find<T>(ArtifactKey<T> key) where T : class => _items.TryGetValue(key.Name, out var value) ? (T)value : null;

    public T Get<T>(ArtifactKey<T> key) where T : class =>
        Find(key) ?? throw new InvalidOperationException($"no '{key.Name}' was produced by an earlier stage");

    public IEnumerable<object> All => _items.Values;
}
