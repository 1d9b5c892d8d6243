namespace DeployMind.Build.Detection;

/// <summary>One language detector's findings before the detector picks the strongest candidate.</summary>
internal sealed class LanguageCandidate(AppLanguage language)
{
    public AppLanguage Language { get; } = language;

    public double Confidence { get; set; }

    public string? Framework { get; set; }

    public string? PackageManager { get; set; }

    public string? LanguageVersion { get; set; }

    public string? StartCommand { get; set; }

    public string? EntryPoint { get; set; }

    public int? Port { get; set; }

    public int DefaultPort { get; set; } = 8080;

    public string? HealthPath { get; set; }

    public bool SupportsSelfHealthCheck { get; set; }

    public bool HasNoDependencies { get; set; }

    /// <summary>Why the candidate has no start command, when it has none.</summary>
    public string? Problem { get; set; }

    public List<Evidence> Evidence { get; } = [];

    public List<string> Manifests { get; } = [];

    public Dictionary<string, string> Scripts { get; } = new(StringComparer.Ordinal);

    public void Add(string file, string finding, double confidence = 0)
    {
        Evidence.Add(new Evidence(file, finding));
        Confidence = Math.Min(1.0, Confidence + confidence);
    }

    public void AddManifestIfExists(SourceTree tree, params string[] files)
    {
        foreach (var file in files)
        {
            if (tree.Exists(file) && !Manifests.Contains(file))
            {
                Manifests.Add(file);
            }
        }
    }
}

/// <summary>Finds one language in a source tree.</summary>
internal interface ILanguageDetector
{
    /// <summary>What this detector looks for, for the "could not detect" message.</summary>
    string LookedFor { get; }

    LanguageCandidate? Detect(SourceTree tree);
}
