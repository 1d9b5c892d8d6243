using System.CommandLine;
using DeployMind.Build.Detection;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind detect PATH`: what the build agent sees in a repository, and why.</summary>
internal static class DetectCommand
{
    public static Command Create(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "Repository directory", DefaultValueFactory = _ => "." };
        var buildDirectory = new Option<string?>("--build-dir") { Description = "Sub-directory holding the app (monorepos)" };
        var command = new Command("detect", "Detect the language, framework, start command, port and health path of a repository");
        command.Arguments.Add(path);
        command.Options.Add(buildDirectory);
        command.Options.Add(GlobalOptions.Json);
        command.SetAction(async (parse, ct) =>
        {
            var root = Path.GetFullPath(parse.GetValue(path)!);
            if (!Directory.Exists(root))
            {
                await context.Error.WriteLineAsync($"error: '{root}' is not a directory; give the path of a checked-out repository");
                return ExitCodes.InvalidInput;
            }

            try
            {
                var report = new ProjectDetector().Detect(root, new DetectionOptions { BuildDirectory = parse.GetValue(buildDirectory) ?? "." });
                if (parse.GetValue(GlobalOptions.Json))
                {
                    CliJson.Write(context.Output, report);
                }
                else
                {
                    await context.Output.WriteLineAsync(report.Describe());
                }

                return ExitCodes.Success;
            }
            catch (Domain.DeployMindException ex)
            {
                await context.Error.WriteLineAsync($"error: {ex.Message}");
                return ExitCodes.InvalidInput;
            }
        });
        return command;
    }
}
