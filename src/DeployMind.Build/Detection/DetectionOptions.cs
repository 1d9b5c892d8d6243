namespace DeployMind.Build.Detection;

/// <summary>What the user configured about the application; anything set here wins over detection.</summary>
public sealed record DetectionOptions
{
    public static DetectionOptions Default { get; } = new();

    /// <summary>Directory of the application inside the repository (monorepos), relative to the root. Default: the root.</summary>
    public string BuildDirectory { get; init; } = ".";

    public int? Port { get; init; }

    public string? StartCommand { get; init; }

    public string? HealthPath { get; init; }
}
