using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.Llm;

/// <summary>
/// The advisor backed by the LLM. Each task sends its data as untrusted, delimited blocks and accepts only a
/// schema-conforming JSON answer; when the model is disabled, has no key, is unreachable, times out or answers badly,
/// <see cref="RuleBasedAdvisor"/> answers instead. A security decision is never looser than the policy's.
/// </summary>
public sealed class LlmDeploymentAdvisor : IDeploymentAdvisor
{
    internal const int BuildOutputLines = 200;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    internal static readonly AnswerSchema SecuritySchema = new("security_advice",
    [
        new("decision", AnswerPropertyType.String, "approve, warn or reject; never looser than the policy's decision")
        {
            AllowedValues = WireValues.AllOf<AgentDecision>(),
        },
        new("reasoning", AnswerPropertyType.String, "why, citing the counts and findings") { MaxLength = 2_000 },
        new("recommendations", AnswerPropertyType.StringArray, "concrete fixes, most important first") { MaxLength = 500, MaxItems = 10 },
    ]);

    internal static readonly AnswerSchema BuildSchema = new("build_fix",
    [
        new("summary", AnswerPropertyType.String, "the most likely cause of the failure") { MaxLength = 1_000 },
        new("suggestions", AnswerPropertyType.StringArray, "concrete changes to the Dockerfile or repository") { MaxLength = 600, MaxItems = 8 },
    ]);

    internal static readonly AnswerSchema RootCauseSchema = new("root_cause",
    [
        new("summary", AnswerPropertyType.String, "the root cause in two or three sentences") { MaxLength = 1_500 },
        new("stage", AnswerPropertyType.String, "the pipeline stage where it failed")
        {
            AllowedValues = WireValues.AllOf<DeploymentStage>(),
        },
        new("evidence", AnswerPropertyType.StringArray, "log lines, health checks or scan figures that show it") { MaxLength = 400, MaxItems = 8 },
        new("next_steps", AnswerPropertyType.StringArray, "what to check or change next") { MaxLength = 500, MaxItems = 8 },
    ]);

    internal static readonly AnswerSchema StrategySchema = new("strategy_recommendation",
    [
        new("strategy", AnswerPropertyType.String, "the strategy for the next deployment")
        {
            AllowedValues = WireValues.AllOf<DeploymentStrategy>(),
        },
        new("reasoning", AnswerPropertyType.String, "why, with figures from the history") { MaxLength = 1_500 },
    ]);

    private readonly OpenAiChatClient _client;
    private readonly RuleBasedAdvisor _rules;
    private readonly LlmOptions _options;
    private readonly ILogger<LlmDeploymentAdvisor> _logger;

    public LlmDeploymentAdvisor(OpenAiChatClient client, RuleBasedAdvisor rules, IOptions<LlmOptions> options, ILogger<LlmDeploymentAdvisor> logger)
    {
        _client = client;
        _rules = rules;
        _options = options.Value;
        _logger = logger;
    }

    public async Task<Advice<SecurityAdvice>> AdviseSecurityAsync(SecurityAdviceRequest request, CancellationToken cancellationToken)
    {
        var prompt = NewPrompt(
            $"Explain the security gate's decision for the repository and recommend fixes. Deterministic policy decided '{request.PolicyDecision.ToWire()}'"
            + (string.IsNullOrWhiteSpace(request.PolicyReason) ? "." : $" because: {request.PolicyReason}.")
            + " Your decision may equal the policy's or be stricter (approve < warn < reject); a looser one is ignored.",
            SecuritySchema)
            .AddJson("repository", new { repository = request.Repository }, s_json)
            .AddJson("scan_counts", request.Scans.Select(s => new { scan_type = s.ScanType.ToWire(), s.Critical, s.High, s.Medium, s.Low }), s_json)
            .AddJson("top_findings", request.TopFindings.Select(f => new
            {
                f.Id, f.Title, severity = f.Severity.ToWire(), scan_type = f.ScanType?.ToWire(), f.Package, f.Version, f.FixedVersion, f.File, f.Line,
            }), s_json);

        return await AskAsync("security", prompt, SecuritySchema, answer =>
        {
            var modelDecision = WireValues.Parse<AgentDecision>(Text(answer, "decision"), "decision");
            var decision = Stricter(request.PolicyDecision, modelDecision);
            var reasoning = Text(answer, "reasoning");
            if (decision != modelDecision)
            {
                _logger.LooserDecisionIgnored(request.Repository, request.PolicyDecision.ToWire(), modelDecision.ToWire());
                reasoning = $"Policy decided '{decision.ToWire()}', which the advisor cannot loosen (it suggested '{modelDecision.ToWire()}'). {reasoning}";
            }

            return new SecurityAdvice(decision, reasoning, Texts(answer, "recommendations"));
        }, () => _rules.AdviseSecurity(request), cancellationToken);
    }

    public async Task<Advice<BuildFixAdvice>> SuggestBuildFixAsync(BuildFailureRequest request, CancellationToken cancellationToken)
    {
        var prompt = NewPrompt(
            "Diagnose why this container image build failed and suggest concrete fixes to the Dockerfile or the repository.",
            BuildSchema)
            .AddJson("build", new { request.Repository, request.Language, request.Framework, request.ExitCode }, s_json)
            .AddData("build_output", LastLines(request.BuildOutput, BuildOutputLines), _options.MaxPromptDataChars * 2 / 3);
        if (!string.IsNullOrEmpty(request.Dockerfile))
        {
            prompt.AddData("dockerfile", request.Dockerfile);
        }

        return await AskAsync("build", prompt, BuildSchema,
            answer => new BuildFixAdvice(Text(answer, "summary"), Texts(answer, "suggestions")),
            () => _rules.SuggestBuildFix(request), cancellationToken);
    }

    public async Task<Advice<RootCauseSummary>> SummarizeRootCauseAsync(RootCauseRequest request, CancellationToken cancellationToken)
    {
        var logLines = string.Join('\n', request.Logs.Select(l =>
            $"{l.Timestamp?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "-"} [{l.Level.ToWire()}] {l.Agent}/{l.EventType ?? "-"}: {l.Message}"));
        var prompt = NewPrompt(
            "Summarise the root cause of this failed or rolled-back deployment from its logs, failed health checks and scan results, "
            + "name the pipeline stage it failed in, cite the evidence and give next steps.",
            RootCauseSchema)
            .AddJson("deployment", new { request.DeploymentId, final_status = request.FinalStatus.ToWire(), request.RollbackReason }, s_json)
            .AddJson("failed_health_checks", request.FailedHealthChecks.Select(h => new { check_type = h.CheckType.ToWire(), h.Url, h.StatusCode, h.Error }), s_json, _options.MaxPromptDataChars / 4)
            .AddJson("scan_counts", request.Scans.Select(s => new { scan_type = s.ScanType.ToWire(), s.Critical, s.High, s.Medium, s.Low }), s_json)
            .AddData("logs", logLines);

        return await AskAsync("root_cause", prompt, RootCauseSchema,
            answer => new RootCauseSummary(
                Text(answer, "summary"),
                WireValues.Parse<DeploymentStage>(Text(answer, "stage"), "stage"),
                Texts(answer, "evidence"),
                Texts(answer, "next_steps")),
            () => _rules.SummarizeRootCause(request), cancellationToken);
    }

    public async Task<Advice<StrategyRecommendation>> RecommendStrategyAsync(StrategyRequest request, CancellationToken cancellationToken)
    {
        var prompt = NewPrompt(
            "Recommend the deployment strategy (rolling, canary or blue-green) for the next deployment of this repository, "
            + "explaining it with figures from its recent history.",
            StrategySchema)
            .AddJson("target", new { request.Repository, environment = request.Environment.ToWire(), request.InstanceCount }, s_json)
            .AddJson("history", request.History.Select(h => new
            {
                strategy = h.Strategy.ToWire(), status = h.Status.ToWire(), h.DurationSeconds, h.RolledBack,
            }), s_json);

        return await AskAsync("strategy", prompt, StrategySchema,
            answer => new StrategyRecommendation(WireValues.Parse<DeploymentStrategy>(Text(answer, "strategy"), "strategy"), Text(answer, "reasoning")),
            () => _rules.RecommendStrategy(request), cancellationToken);
    }

    /// <summary>Approve &lt; warn &lt; reject: the advisor can tighten a gate, never loosen it.</summary>
    public static AgentDecision Stricter(AgentDecision policy, AgentDecision advised) => advised > policy ? advised : policy;

    private AdvisorPrompt NewPrompt(string task, AnswerSchema schema) => new(task, schema, _options.MaxPromptDataChars);

    private async Task<Advice<T>> AskAsync<T>(string task, AdvisorPrompt prompt, AnswerSchema schema, Func<JsonObject, T> read, Func<T> rules, CancellationToken cancellationToken)
    {
        string reason;
        try
        {
            var answer = await _client.CompleteAsync(prompt.ToMessages(), schema, cancellationToken);
            return new Advice<T>(read(answer.Answer), answer.Usage);
        }
        catch (LlmUnavailableException ex) when (ex.NotConfigured)
        {
            // Running without a model is a supported mode (air-gapped), so it is not a warning.
            _logger.RulesByConfiguration(task, ex.Reason);
            return new Advice<T>(rules(), LlmUsage.Rules, ex.Reason);
        }
        catch (LlmUnavailableException ex)
        {
            reason = ex.Reason;
        }
        catch (LlmAnswerRejectedException ex)
        {
            reason = ex.Reason;
        }
        catch (InvalidInputException ex)
        {
            // The schema admits only wire values, so this means the schema and the enums disagree.
            reason = $"the answer's {ex.Field} could not be read: {ex.Message}";
        }

        _logger.FellBackToRules(task, reason);
        return new Advice<T>(rules(), LlmUsage.Rules, reason);
    }

    private static string Text(JsonObject answer, string name) => answer[name]!.GetValue<string>().Trim();

    private static List<string> Texts(JsonObject answer, string name) =>
        answer[name] is JsonArray items ? items.Select(i => i!.GetValue<string>().Trim()).ToList() : [];

    internal static string LastLines(string text, int lines)
    {
        var all = text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        return all.Length <= lines
            ? string.Join('\n', all)
            : $"[... {all.Length - lines} earlier lines cut by DeployMind ...]\n" + string.Join('\n', all[^lines..]);
    }
}
