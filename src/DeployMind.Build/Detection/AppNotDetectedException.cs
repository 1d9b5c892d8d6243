using DeployMind.Domain;

namespace DeployMind.Build.Detection;

/// <summary>The detector could not work out how to build or start the application; says what it looked for and how to configure it.</summary>
public sealed class AppNotDetectedException : DeployMindException
{
    public AppNotDetectedException(string directory, string reason, IReadOnlyList<string> lookedFor, string howToConfigure)
        : base(Compose(directory, reason, lookedFor, howToConfigure))
    {
        Directory = directory;
        Reason = reason;
        LookedFor = lookedFor;
        HowToConfigure = howToConfigure;
    }

    public string Directory { get; }

    public string Reason { get; }

    public IReadOnlyList<string> LookedFor { get; }

    public string HowToConfigure { get; }

    private static string Compose(string directory, string reason, IReadOnlyList<string> lookedFor, string howToConfigure) =>
        $"could not detect an application in {directory}: {reason}{Environment.NewLine}" +
        $"Looked for:{Environment.NewLine}{string.Join(Environment.NewLine, lookedFor.Select(l => "  - " + l))}{Environment.NewLine}" +
        $"How to configure: {howToConfigure}";
}
