using System.Text.RegularExpressions;
using DeployMind.Security.Dockerfiles;

namespace DeployMind.Build.Optimization;

/// <summary>The text of a parsed instruction as the analyzer's pattern checks and messages read it.</summary>
internal static partial class DockerInstructionText
{
    /// <summary>
    /// The arguments as written (flags such as <c>--mount=...,target=/var/lib/apt/lists</c> included, since a cache mount
    /// answers the same concern as a cleanup) followed by every heredoc body, whatever program reads it.
    /// </summary>
    public static string ShellText(this DockerInstruction instruction) =>
        instruction.Heredocs.Count == 0
            ? instruction.Arguments
            : instruction.Arguments + "\n" + string.Concat(instruction.Heredocs.Select(h => h.Content));

    /// <summary>The arguments on one line with whitespace runs collapsed, for quoting in a suggestion (continuation lines keep their indentation).</summary>
    public static string DisplayText(this DockerInstruction instruction) => Whitespace().Replace(instruction.Arguments, " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
