using DeployMind.Domain;

namespace DeployMind.Build.Optimization;

/// <summary>What a Dockerfile problem is, so callers can act on it without parsing titles.</summary>
public enum SuggestionKind
{
    SingleStageToolchain,
    FatBaseImage,
    MissingDockerIgnore,
    PackageCacheNotCleaned,
    PoorLayerOrder,
    RunsAsRoot,
    NoHealthCheck,
    ShellFormCommand,
    UnpinnedBaseImage,
    ConsecutiveRuns,
    InstallsRecommendedPackages,
    DevDependenciesInImage,
    AddInsteadOfCopy,
}

/// <summary>How much fixing a suggestion is expected to help (image size, build time, safety).</summary>
public enum SuggestionImpact
{
    [WireValue("low")] Low,
    [WireValue("medium")] Medium,
    [WireValue("high")] High,
}

/// <summary>One improvement to a user's Dockerfile, with the reason, the fix and an estimate of what it gains.</summary>
public sealed record OptimizationSuggestion
{
    /// <summary>Stable id, e.g. DM-OPT-001.</summary>
    public required string Id { get; init; }

    public required SuggestionKind Kind { get; init; }

    public required string Title { get; init; }

    public required string Reason { get; init; }

    public required string Fix { get; init; }

    public required SuggestionImpact Impact { get; init; }

    /// <summary>Rough expected gain, e.g. "image ~85% smaller (node:20 ~1.1 GB -> node:20-alpine ~140 MB)".</summary>
    public required string EstimatedGain { get; init; }

    /// <summary>1-based line in the Dockerfile, when the problem has one.</summary>
    public int? Line { get; init; }

    public override string ToString() =>
        $"[{Impact.ToWire()}] {Id} {Title}{(Line is null ? "" : $" (line {Line})")}: {Reason} Fix: {Fix} Gain: {EstimatedGain}";
}

/// <summary>The analyzer's findings over one Dockerfile, most impactful first.</summary>
public sealed record DockerfileAnalysis
{
    public required IReadOnlyList<OptimizationSuggestion> Suggestions { get; init; }

    public required int StageCount { get; init; }

    /// <summary>Base image of every stage, in order (ARG defaults substituted).</summary>
    public required IReadOnlyList<string> BaseImages { get; init; }

    public bool Has(SuggestionKind kind) => Suggestions.Any(s => s.Kind == kind);
}
