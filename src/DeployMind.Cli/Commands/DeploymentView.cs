using System.Globalization;
using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Cli.Commands;

/// <summary>How deployments are shown in the terminal and as JSON.</summary>
internal static class DeploymentView
{
    public static int ExitCodeFor(DeploymentStatus status) => status switch
    {
        DeploymentStatus.Deployed => ExitCodes.Success,
        DeploymentStatus.SecurityFailed => ExitCodes.PolicyRejected,
        DeploymentStatus.RolledBack => ExitCodes.RolledBack,
        DeploymentStatus.Cancelled => ExitCodes.Cancelled,
        _ => ExitCodes.DeploymentFailed,
    };

    public static JsonObject Summary(Deployment d) => new()
    {
        ["id"] = d.Id,
        ["repository"] = d.Repository,
        ["commit_sha"] = d.CommitSha,
        ["branch"] = d.Branch,
        ["status"] = d.Status.ToWire(),
        ["environment"] = d.Environment.ToWire(),
        ["strategy"] = d.Strategy.ToWire(),
        ["instance_id"] = d.InstanceId,
        ["targets"] = d.TargetKeys is null ? null : new JsonArray(d.TargetKeys.Split('\n').Select(t => (JsonNode)t).ToArray()),
        ["region"] = d.Region,
        ["image_tag"] = d.ImageTag,
        ["image_size_mb"] = d.ImageSizeMb,
        ["created_at"] = d.CreatedAt,
        ["started_at"] = d.StartedAt,
        ["completed_at"] = d.CompletedAt,
        ["duration_seconds"] = d.DurationSeconds,
        ["triggered_by"] = d.TriggeredBy,
        ["trigger_type"] = d.TriggerType.ToWire(),
        ["previous_deployment_id"] = d.PreviousDeploymentId,
        ["rollback_reason"] = d.RollbackReason,
        ["failure"] = d.Metadata?["failure"]?.DeepClone(),
        ["root_cause"] = d.Metadata?["root_cause"]?.DeepClone(),
    };

    public static JsonObject Detail(Deployment d)
    {
        var json = Summary(d);
        json["agent_executions"] = new JsonArray(d.AgentExecutions.Select(a => (JsonNode)new JsonObject
        {
            ["agent_name"] = a.AgentName,
            ["agent_version"] = a.AgentVersion,
            ["success"] = a.Success,
            ["started_at"] = a.StartedAt,
            ["duration_seconds"] = a.DurationSeconds,
            ["llm_model"] = a.LlmModel,
            ["llm_tokens_input"] = a.LlmTokensInput,
            ["llm_tokens_output"] = a.LlmTokensOutput,
            ["llm_cost_usd"] = a.LlmCostUsd,
            ["error_message"] = a.ErrorMessage,
        }).ToArray());
        json["security_scans"] = new JsonArray(d.SecurityScans.Select(s => (JsonNode)new JsonObject
        {
            ["scan_type"] = s.ScanType.ToWire(),
            ["passed"] = s.Passed,
            ["critical_count"] = s.CriticalCount,
            ["high_count"] = s.HighCount,
            ["medium_count"] = s.MediumCount,
            ["low_count"] = s.LowCount,
            ["agent_decision"] = s.AgentDecision?.ToWire(),
            ["agent_reasoning"] = s.AgentReasoning,
        }).ToArray());
        json["build_results"] = new JsonArray(d.BuildResults.Select(b => (JsonNode)new JsonObject
        {
            ["success"] = b.Success,
            ["detected_language"] = b.DetectedLanguage,
            ["detected_framework"] = b.DetectedFramework,
            ["image_tag"] = b.ImageTag,
            ["image_size_bytes"] = b.ImageSizeBytes,
            ["build_duration_seconds"] = b.BuildDurationSeconds,
            ["error_message"] = b.ErrorMessage,
            ["ai_suggestions"] = b.AiSuggestions,
        }).ToArray());
        json["health_checks"] = new JsonObject
        {
            ["total"] = d.HealthChecks.Count,
            ["healthy"] = d.HealthChecks.Count(h => h.Healthy),
        };
        return json;
    }

    public static void WriteDetail(TextWriter w, Deployment d)
    {
        w.WriteLine($"Deployment   {d.Id}");
        w.WriteLine($"Status       {d.Status.ToWire()}");
        w.WriteLine($"Repository   {d.Repository}@{d.CommitSha}{(d.Branch is null ? "" : $" ({d.Branch})")}");
        w.WriteLine($"Target       {(d.TargetKeys ?? d.InstanceId ?? "-").Replace('\n', ',')}{(d.Region is null ? "" : $" in {d.Region}")}");
        w.WriteLine($"Strategy     {d.Strategy.ToWire()} to {d.Environment.ToWire()}");
        w.WriteLine($"Triggered    {d.TriggerType.ToWire()}{(d.TriggeredBy is null ? "" : $" by {d.TriggeredBy}")} at {Time(d.CreatedAt)}");
        if (d.DurationSeconds is { } seconds)
        {
            w.WriteLine($"Duration     {seconds.ToString("0.#", CultureInfo.InvariantCulture)} s (completed {Time(d.CompletedAt)})");
        }

        if (d.ImageTag is not null)
        {
            w.WriteLine($"Image        {d.ImageTag}{(d.ImageSizeMb is { } mb ? $" ({mb.ToString("0.#", CultureInfo.InvariantCulture)} MB)" : "")}");
        }

        if (d.PreviousDeploymentId is not null)
        {
            w.WriteLine($"Previous     {d.PreviousDeploymentId}");
        }

        if (d.RollbackReason is not null)
        {
            w.WriteLine($"Rolled back  {d.RollbackReason}");
        }

        if (d.Metadata?["failure"]?["reason"] is { } reason)
        {
            w.WriteLine($"Failure      {reason.GetValue<string>()}");
        }

        if (d.Metadata?["root_cause"]?["summary"] is { } summary)
        {
            w.WriteLine($"Root cause   {summary.GetValue<string>()}");
            if (d.Metadata["root_cause"]?["next_steps"] is JsonArray steps)
            {
                foreach (var step in steps)
                {
                    w.WriteLine($"             - {step?.GetValue<string>()}");
                }
            }
        }

        if (d.AgentExecutions.Count > 0)
        {
            w.WriteLine();
            var table = new TextTable("agent", "result", "seconds", "model", "tokens in/out", "cost USD", "error");
            foreach (var a in d.AgentExecutions)
            {
                table.Add(a.AgentName, a.CompletedAt is null ? "running" : a.Success ? "ok" : "failed", a.DurationSeconds, a.LlmModel,
                    $"{a.LlmTokensInput}/{a.LlmTokensOutput}", a.LlmCostUsd, a.ErrorMessage);
            }

            table.WriteTo(w);
        }

        if (d.SecurityScans.Count > 0)
        {
            w.WriteLine();
            var table = new TextTable("scan", "passed", "critical", "high", "medium", "low", "decision");
            foreach (var s in d.SecurityScans)
            {
                table.Add(s.ScanType.ToWire(), s.Passed ? "yes" : "no", s.CriticalCount, s.HighCount, s.MediumCount, s.LowCount, s.AgentDecision?.ToWire());
            }

            table.WriteTo(w);
        }

        if (d.HealthChecks.Count > 0)
        {
            w.WriteLine();
            w.WriteLine($"Health checks: {d.HealthChecks.Count(h => h.Healthy)} of {d.HealthChecks.Count} healthy");
        }
    }

    public static string LogLine(DeploymentLog l) =>
        $"{l.Timestamp.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {l.Level.ToWire(),-8} {l.Agent,-12} {l.Message}";

    public static string Time(DateTime? t) => t?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z";
}
