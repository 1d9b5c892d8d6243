namespace DeployMind.Domain;

/// <summary>One container image build of a deployment, with its size and optimization figures.</summary>
public sealed class BuildResult : IDeploymentRecord
{
    private DateTime _createdAt;

    public long Id { get; set; }

    public required string DeploymentId { get; set; }

    public double? BuildDurationSeconds { get; set; }

    public bool Success { get; set; }

    public int? ExitCode { get; set; }

    public string? DockerfilePath { get; set; }

    public bool DockerfileGenerated { get; set; }

    public string? DetectedLanguage { get; set; }

    public string? DetectedFramework { get; set; }

    public string? ImageId { get; set; }

    public string? ImageTag { get; set; }

    public long? ImageSizeBytes { get; set; }

    public int? LayerCount { get; set; }

    public List<string> OptimizationsApplied { get; set; } = [];

    public long? OriginalSizeBytes { get; set; }

    public long? OptimizedSizeBytes { get; set; }

    public double? SizeReductionPercent { get; set; }

    public string? BuildLogs { get; set; }

    public string? ErrorMessage { get; set; }

    public string? AiSuggestions { get; set; }

    public DateTime CreatedAt { get => _createdAt; set => _createdAt = UtcTimestamp.Normalize(value); }
}
