using System.Text.Json;
using DeployMind.Domain;
using DeployMind.Persistence;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DeployMind.Server;

/// <summary>RFC 7807 answers: every error the API gives is application/problem+json, validation errors with errors{field: [messages]}.</summary>
public static partial class Problems
{
    public static ValidationProblem Field(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "Invalid request");

    public static ProblemHttpResult Status(int status, string title, string detail) => TypedResults.Problem(detail, statusCode: status, title: title);

    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        var problem = errors is null
            ? new ProblemDetails { Status = status, Title = title, Detail = detail }
            : new HttpValidationProblemDetails(errors) { Status = status, Title = title, Detail = detail };
        problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(problem, problem.GetType(), JsonSerializerOptions.Web), context.RequestAborted);
    }

    /// <summary>Turns the exceptions the libraries throw on purpose into their status codes; anything else is a 500 without internals.</summary>
    public static async Task HandleExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("DeployMind.Server.Errors");
        switch (error)
        {
            case DeployMind.Persistence.RuntimeConfig.EnvFileException e:
                await WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid .env file", e.Message,
                    e.Errors.GroupBy(x => $"line {x.Line}").ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray()));
                break;
            case InvalidInputException e:
                await WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid request", e.Message, new Dictionary<string, string[]> { [e.Field] = [e.Message] });
                break;
            case NotFoundException e:
                await WriteAsync(context, StatusCodes.Status404NotFound, "Not found", e.Message);
                break;
            case InvalidStatusTransitionException e:
                await WriteAsync(context, StatusCodes.Status409Conflict, "Conflict", e.Message);
                break;
            case DatabaseUnavailableException e:
                LogDatabaseUnavailable(logger, e.Message);
                await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Database unavailable", "The database cannot be reached; retry shortly.");
                break;
            case BadHttpRequestException e:
                await WriteAsync(context, e.StatusCode, "Bad request", e.Message);
                break;
            case DeployMindException e:
                await WriteAsync(context, StatusCodes.Status422UnprocessableEntity, "Cannot do that", DatabaseLocation.Redact(e.Message));
                break;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                break;
            default:
                LogUnexpected(logger, error, context.Request.Method, context.Request.Path);
                await WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal error",
                    "The server failed unexpectedly; the error is in its log under this traceId.");
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "database unavailable: {Reason}")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "unexpected error in {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception? exception, string method, string path);
}
