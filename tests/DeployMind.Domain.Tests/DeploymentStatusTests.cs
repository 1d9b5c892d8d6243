using DeployMind.Domain;

namespace DeployMind.Domain.Tests;

public sealed class DeploymentStatusTests
{
    private static readonly DateTime s_created = new(2026, 2, 4, 10, 0, 0, DateTimeKind.Utc);

    private static Deployment NewDeployment() => new()
    {
        Id = "deploy-20260204-abc123",
        Repository = "acme/web",
        CommitSha = "a1b2c3d4",
        CreatedAt = s_created,
        UpdatedAt = s_created,
    };

    [Fact]
    public void MoveTo_HappyPath_StampsStartCompletionAndDuration()
    {
        var d = NewDeployment();
        d.MoveTo(DeploymentStatus.SecurityScanning, s_created.AddSeconds(10));
        d.MoveTo(DeploymentStatus.Building, s_created.AddSeconds(40));
        d.MoveTo(DeploymentStatus.Deploying, s_created.AddSeconds(160));
        d.MoveTo(DeploymentStatus.Deployed, s_created.AddSeconds(340));

        Assert.Equal(s_created.AddSeconds(10), d.StartedAt);
        Assert.Equal(s_created.AddSeconds(340), d.CompletedAt);
        Assert.Equal(330, d.DurationSeconds);
        Assert.Equal(DeploymentStatus.Deployed, d.Status);
    }

    [Theory]
    [InlineData(DeploymentStatus.Pending, DeploymentStatus.Deployed)]
    [InlineData(DeploymentStatus.Deployed, DeploymentStatus.Building)]
    [InlineData(DeploymentStatus.Failed, DeploymentStatus.Pending)]
    [InlineData(DeploymentStatus.RolledBack, DeploymentStatus.Deployed)]
    [InlineData(DeploymentStatus.SecurityScanning, DeploymentStatus.Deployed)]
    [InlineData(DeploymentStatus.Cancelled, DeploymentStatus.Deploying)]
    public void MoveTo_IllegalTransition_ThrowsNamingBothStatusesAndLeavesTheDeploymentUnchanged(DeploymentStatus from, DeploymentStatus to)
    {
        var d = NewDeployment();
        d.Status = from;

        var error = Assert.Throws<InvalidStatusTransitionException>(() => d.MoveTo(to, s_created.AddMinutes(1)));

        Assert.Contains($"'{from.ToWire()}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{to.ToWire()}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(from, d.Status);
        Assert.Null(d.CompletedAt);
    }

    [Fact]
    public void MoveTo_RollbackPath_EndsRolledBackWithCompletion()
    {
        var d = NewDeployment();
        d.MoveTo(DeploymentStatus.Deploying, s_created.AddSeconds(5));
        d.MoveTo(DeploymentStatus.RollingBack, s_created.AddSeconds(65));
        d.MoveTo(DeploymentStatus.RolledBack, s_created.AddSeconds(70));

        Assert.Equal(65, d.DurationSeconds);
        Assert.True(DeploymentStatusMachine.IsFinished(d.Status));
    }

    [Fact]
    public void MoveTo_CancelWhilePending_NeverStarted()
    {
        var d = NewDeployment();
        d.MoveTo(DeploymentStatus.Cancelled, s_created.AddSeconds(3));
        Assert.Null(d.StartedAt);
        Assert.Equal(3, d.DurationSeconds);
    }

    [Fact]
    public void FinishedStatuses_HaveNoNextStatusExceptDeployed()
    {
        foreach (var status in Enum.GetValues<DeploymentStatus>().Where(DeploymentStatusMachine.IsFinished))
        {
            var next = DeploymentStatusMachine.NextStatuses(status);
            Assert.True(status == DeploymentStatus.Deployed ? next.SequenceEqual([DeploymentStatus.RollingBack]) : next.Count == 0, status.ToWire());
        }
    }

    [Fact]
    public void WireValues_EveryStatus_RoundTripsThroughItsSeedString()
    {
        Assert.Equal(
            ["pending", "security_scanning", "security_failed", "building", "build_failed", "deploying", "deployed", "failed", "rolling_back", "rolled_back", "cancelled"],
            WireValues.AllOf<DeploymentStatus>());
        foreach (var status in Enum.GetValues<DeploymentStatus>())
        {
            Assert.Equal(status, WireValues.Parse<DeploymentStatus>(status.ToWire(), "status"));
        }

        Assert.Equal("blue-green", DeploymentStrategy.BlueGreen.ToWire());
        Assert.Equal("WARNING", LogLevel.Warning.ToWire());
    }

    [Fact]
    public void WireValues_UnknownValue_NamesTheFieldAndTheAllowedValues()
    {
        var error = Assert.Throws<InvalidInputException>(() => WireValues.Parse<DeploymentStrategy>("big-bang", "strategy"));
        Assert.Equal("strategy", error.Field);
        Assert.Contains("rolling, canary, blue-green", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamps_SubMicrosecondTicks_AreTruncatedToMicrosecondsAndMarkedUtc()
    {
        var d = NewDeployment();
        d.CreatedAt = new DateTime(638_000_000_000_000_123, DateTimeKind.Unspecified);
        Assert.Equal(638_000_000_000_000_120, d.CreatedAt.Ticks);
        Assert.Equal(DateTimeKind.Utc, d.CreatedAt.Kind);
    }
}
