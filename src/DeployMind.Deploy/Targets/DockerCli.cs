namespace DeployMind.Deploy.Targets;

/// <summary>The few docker CLI calls the targets themselves need (image id, pull, load).</summary>
internal static class DockerCli
{
    public static readonly TimeSpan InspectTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan PullTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The image's id (<c>sha256:…</c>) in the target's engine, or null when it has no such image.</summary>
    public static async Task<string?> ImageIdAsync(IDeployTarget target, string image, CancellationToken cancellationToken)
    {
        var result = await target.RunAsync(["docker", "image", "inspect", "--format", "{{.Id}}", image],
            TargetCommandOptions.Default.WithTimeout(InspectTimeout), cancellationToken);
        if (result.Succeeded)
        {
            var id = result.StandardOutput.Trim();
            return id.Length == 0 ? null : id;
        }

        if (IsNoSuchImage(result))
        {
            return null;
        }

        throw new TargetCommandFailedException(result);
    }

    public static async Task PullAsync(IDeployTarget target, string image, CancellationToken cancellationToken)
    {
        var result = await target.RunAsync(["docker", "pull", image],
            TargetCommandOptions.Default.WithTimeout(PullTimeout), cancellationToken);
        if (!result.Succeeded)
        {
            throw new ImageDeliveryException(target.Name, image,
                result.TimedOut
                    ? $"docker pull timed out after {TargetCommandResult.Seconds(result.Timeout)} s"
                    : $"docker pull exited with code {result.ExitCode}: {result.FailureTail(5)}" +
                      " (is the registry reachable from the target, and is the target logged in to it?)");
        }
    }

    public static bool IsNoSuchImage(TargetCommandResult result) =>
        result.StandardError.Contains("No such image", StringComparison.OrdinalIgnoreCase)
        || result.StandardError.Contains("No such object", StringComparison.OrdinalIgnoreCase)
        || result.StandardError.Contains("not found", StringComparison.OrdinalIgnoreCase);
}
