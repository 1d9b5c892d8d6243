using System.CommandLine;
using DeployMind.Domain;
using DeployMind.Security;
using DeployMind.Security.Agent;
using DeployMind.Security.Policy;
using DeployMind.Security.Reports;

namespace DeployMind.Cli.Commands;

/// <summary>`deploymind scan PATH`: the security stage on its own, for CI pipelines and local checks.</summary>
internal static class ScanCommand
{
    public static Command Create(CliContext context)
    {
        var path = new Argument<string>("path") { Description = "Directory (or Dockerfile) to scan", DefaultValueFactory = _ => "." };
        var types = new Option<string[]>("--type") { Description = "Only these scans: dockerfile, dependencies, secrets (repeatable)", AllowMultipleArgumentsPerToken = true };
        var format = new Option<string>("--format") { Description = "table, json or sarif", DefaultValueFactory = _ => "table" };
        var severity = new Option<string?>("--severity") { Description = "Findings that count for --exit-code, e.g. CRITICAL,HIGH (default: all)" };
        var exitCode = new Option<int>("--exit-code") { Description = "Exit with this code when any counted finding remains (default 0: report only)", DefaultValueFactory = _ => 0 };
        var policy = new Option<string?>("--policy") { Description = "strict, balanced or permissive: adds the policy decision to the report" };
        var ignoreUnfixed = new Option<bool>("--ignore-unfixed") { Description = "Vulnerabilities without a fixed version do not count" };
        var trivy = new Option<bool>("--trivy") { Description = "Also run a trivy binary from PATH over the tree (fs mode)" };
        var trivyReport = new Option<string[]>("--trivy-report") { Description = "Also import a Trivy JSON report (trivy fs|image --format json)", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output", "-o") { Description = "Write the report to this file instead of standard output" };
        var command = new Command("scan", "Scan a source tree for Dockerfile misconfigurations, vulnerable dependencies and secrets");
        command.Arguments.Add(path);
        foreach (var option in new Option[] { types, format, severity, exitCode, policy, ignoreUnfixed, trivy, trivyReport, output })
        {
            command.Options.Add(option);
        }

        command.SetWork(context, async (parse, services, ct) =>
        {
            var root = Path.GetFullPath(parse.GetValue(path)!);
            var chosen = parse.GetValue(types) is { Length: > 0 } t
                ? t.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Select(v => WireValues.Parse<ScanType>(v, "--type")).ToList()
                : SecurityScanRunner.AllTypes.ToList();
            var formatName = parse.GetValue(format)!.ToLowerInvariant();
            if (formatName is not ("table" or "json" or "sarif"))
            {
                throw new InvalidInputException("--format", $"--format '{formatName}' is not supported; use table, json or sarif");
            }

            var filter = SeverityFilter.Parse(parse.GetValue(severity));
            var code = parse.GetValue(exitCode);
            if (code is < 0 or > 255)
            {
                throw new InvalidInputException("--exit-code", $"--exit-code {code} is out of range; use 0 to 255");
            }

            var options = new SecurityScanOptions { VulnerabilityDatabasePath = context.VulnerabilityDatabasePath(parse.GetValue(GlobalOptions.DataDirectory)) };
            var reports = (await new SecurityScanRunner(options, context.Clock).ScanAsync(root, chosen, ct)).ToList();
            if (parse.GetValue(trivy))
            {
                var processes = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<DeployMind.Pipeline.Processes.IProcessRunner>(services);
                reports.AddRange((await TrivyProcess.Runner(processes, context.Clock).ScanFilesystemAsync(root, ct)).Where(r => chosen.Contains(r.ScanType)));
            }

            foreach (var file in parse.GetValue(trivyReport) ?? [])
            {
                reports.AddRange(TrivyReportImporter.ImportFile(Path.GetFullPath(file)).Where(r => chosen.Contains(r.ScanType)));
            }

            PolicyVerdict? verdict = null;
            if (parse.GetValue(policy) is { } preset || parse.GetValue(ignoreUnfixed))
            {
                var chosenPolicy = parse.GetValue(policy) is { } p ? SecurityPolicy.FromPreset(p) : SecurityPolicy.Default;
                verdict = (chosenPolicy with { IgnoreUnfixed = parse.GetValue(ignoreUnfixed) }).Evaluate(reports, context.Clock);
            }

            var text = formatName switch
            {
                "json" => JsonReportWriter.WriteString(reports, verdict),
                "sarif" => SarifWriter.WriteString(reports, new SarifOptions { SourceRoot = Directory.Exists(root) ? root : Path.GetDirectoryName(root) }),
                _ => TableReportWriter.Write(reports, verdict),
            };
            if (parse.GetValue(output) is { } file2)
            {
                await File.WriteAllTextAsync(file2, text, ct);
                await context.Error.WriteLineAsync($"Wrote {formatName} report to {Path.GetFullPath(file2)}");
            }
            else
            {
                await context.Output.WriteLineAsync(text);
            }

            return ScanExitCode.Compute(reports, filter, code, verdict);
        });
        return command;
    }
}
