using DeployMind.Proxy.Admin;
using DeployMind.Proxy.Metrics;
using DeployMind.Proxy.Routing;
using Microsoft.Extensions.Logging;

namespace DeployMind.Proxy.Hosting;

/// <summary>What the public endpoint and the admin API share: the backend pool, the metrics and the state file.
/// Backend-set changes are serialized; each is persisted before it takes effect.</summary>
internal sealed class ProxyRuntime
{
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly StateFile? _stateFile;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ProxyRuntime(TimeProvider time, StateFile? stateFile, TimeSpan defaultDrainTimeout, ILogger logger)
    {
        _time = time;
        _stateFile = stateFile;
        _logger = logger;
        DefaultDrainTimeout = defaultDrainTimeout;
        Pool = new BackendPool(time);
        Metrics = new ProxyMetrics();
    }

    public BackendPool Pool { get; }

    public ProxyMetrics Metrics { get; }

    public TimeSpan DefaultDrainTimeout { get; }

    public string? StateFilePath => _stateFile?.Path;

    /// <summary>Loads the state file (it wins over <paramref name="initial"/>), or applies and persists <paramref name="initial"/>.</summary>
    public void Initialize(IReadOnlyList<ProxyBackend> initial)
    {
        var saved = _stateFile?.Load();
        if (saved is { } s)
        {
            if (initial.Count > 0)
            {
                _logger.LogWarning("the state file {Path} exists; its {Count} backends are used and the backends given at start are ignored", _stateFile!.Path, s.Backends.Count);
            }
            Pool.Replace(s.Backends, s.Generation, TimeSpan.Zero);
            _logger.LogInformation("restored {Count} backends (generation {Generation}) from {Path}", s.Backends.Count, s.Generation, _stateFile!.Path);
            return;
        }
        if (initial.Count > 0)
        {
            _stateFile?.Save(initial, 1, _time.GetUtcNow());
            Pool.Replace(initial, 1, TimeSpan.Zero);
        }
    }

    /// <summary>Persists then applies a new backend set; returns the resulting state.</summary>
    public async Task<ProxyState> ApplyAsync(IReadOnlyList<ProxyBackend> backends, TimeSpan? drainTimeout, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            var generation = Pool.Generation + 1;
            _stateFile?.Save(backends, generation, _time.GetUtcNow());
            var state = Pool.Replace(backends, generation, drainTimeout ?? DefaultDrainTimeout);
            _logger.LogInformation("backend set generation {Generation}: {Backends}", generation,
                backends.Count == 0 ? "(none)" : string.Join(", ", backends.Select(b => $"{b.Id}={b.Url} w{b.Weight}")));
            return state;
        }
        finally
        {
            _changes.Release();
        }
    }
}
