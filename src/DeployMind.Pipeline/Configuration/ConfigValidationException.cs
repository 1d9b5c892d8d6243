using DeployMind.Domain;

namespace DeployMind.Pipeline.Configuration;

/// <summary>
/// A <c>deploymind.yml</c> is invalid or names secrets that cannot be found; carries every problem at
/// once. (It derives from <see cref="DeployMindException"/> because <see cref="InvalidInputException"/> is sealed.)
/// </summary>
public sealed class ConfigValidationException : InvalidInputException
{
    public const string ConfigField = "deploymind.yml";

    public ConfigValidationException(IReadOnlyList<ConfigProblem> problems)
        : base(ConfigField, Describe(problems))
    {
        Problems = problems;
    }


    public IReadOnlyList<ConfigProblem> Problems { get; }

    private static string Describe(IReadOnlyList<ConfigProblem> problems)
    {
        if (problems.Count == 0)
        {
            throw new ArgumentException("a validation failure needs at least one problem", nameof(problems));
        }

        var file = problems[0].File;
        var header = problems.Count == 1 ? $"{file} has 1 problem:" : $"{file} has {problems.Count} problems:";
        return string.Join("\n", problems.Select(p => p.ToString()).Prepend(header));
    }
}
