using DeployMind.Server.Background;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Server.Tests;

public sealed class StandbyRetirementJobTests
{
    [Fact]
    public async Task RunDue_TwiceInOneSlot_SweepsOnce()
    {
        await using var server = await ServerHarness.SqliteAsync(new() { ["DEPLOYMIND_STANDBY_SWEEP_INTERVAL"] = "off" });
        var job = server.Services.GetRequiredService<StandbyRetirementJob>();

        var first = await job.RunDueAsync(TimeSpan.FromHours(1), CancellationToken.None);
        var second = await job.RunDueAsync(TimeSpan.FromHours(1), CancellationToken.None);

        Assert.True(first);
        Assert.False(second);
    }

    [Fact]
    public async Task Start_WithAnUnparsableSweepInterval_FailsNamingTheSetting()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ServerHarness.SqliteAsync(new() { ["DEPLOYMIND_STANDBY_SWEEP_INTERVAL"] = "sometimes" }));

        Assert.Contains("DEPLOYMIND_STANDBY_SWEEP_INTERVAL='sometimes'", error.ToString(), StringComparison.Ordinal);
    }
}
