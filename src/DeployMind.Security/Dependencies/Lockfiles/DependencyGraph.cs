namespace DeployMind.Security.Dependencies.Lockfiles;

/// <summary>
/// The package graph a lockfile records, used to give each package the shortest path from a top-level
/// dependency (the project's own dependencies, or packages nothing else depends on when the lockfile
/// does not say which those are).
/// </summary>
internal sealed class DependencyGraph<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, string> _names = [];
    private readonly Dictionary<TKey, List<TKey>> _edges = [];
    private readonly List<TKey> _roots = [];
    private readonly HashSet<TKey> _hasParent = [];

    public void AddNode(TKey key, string name) => _names.TryAdd(key, name);

    public bool Contains(TKey key) => _names.ContainsKey(key);

    public void AddEdge(TKey from, TKey to)
    {
        if (EqualityComparer<TKey>.Default.Equals(from, to))
        {
            return;
        }

        if (!_edges.TryGetValue(from, out var list))
        {
            list = [];
            _edges[from] = list;
        }

        list.Add(to);
        _hasParent.Add(to);
    }

    /// <summary>Marks a top-level dependency of the project: paths start at it.</summary>
    public void AddRoot(TKey key) => _roots.Add(key);

    /// <summary>Marks the project itself (or a workspace member): paths start at its dependencies, without it.</summary>
    public void AddProject(TKey key)
    {
        foreach (var child in _edges.GetValueOrDefault(key) ?? [])
        {
            _roots.Add(child);
        }
    }

    /// <summary>Names from a top-level dependency down to each reachable package (breadth first: the shortest path).</summary>
    public Dictionary<TKey, IReadOnlyList<string>> ShortestPaths()
    {
        var parents = new Dictionary<TKey, TKey?>();
        var isRoot = new HashSet<TKey>();
        Walk(_roots);

        // Packages the project does not reach (stale or partial lockfiles): start at those nothing requires.
        Walk(_names.Keys.Where(k => !_hasParent.Contains(k) && !parents.ContainsKey(k)).ToList());

        var paths = new Dictionary<TKey, IReadOnlyList<string>>();
        foreach (var key in parents.Keys)
        {
            var path = new List<string>();
            var at = key;
            while (true)
            {
                path.Add(_names[at]);
                if (isRoot.Contains(at))
                {
                    break;
                }

                at = parents[at]!;
            }

            path.Reverse();
            paths[key] = path;
        }

        return paths;

        void Walk(List<TKey> roots)
        {
            var queue = new Queue<TKey>();
            foreach (var root in roots.Where(_names.ContainsKey))
            {
                if (parents.TryAdd(root, default))
                {
                    isRoot.Add(root);
                    queue.Enqueue(root);
                }
            }

            while (queue.Count > 0)
            {
                var node = queue.Dequeue();
                foreach (var child in _edges.GetValueOrDefault(node) ?? [])
                {
                    if (_names.ContainsKey(child) && parents.TryAdd(child, node))
                    {
                        queue.Enqueue(child);
                    }
                }
            }
        }
    }
}
