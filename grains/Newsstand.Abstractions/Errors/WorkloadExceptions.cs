namespace Newsstand.Errors;

/// <summary>The workload object asked for (a job, a run) does not exist.</summary>
[GenerateSerializer, Alias("Newsstand.WorkloadNotFoundException")]
public sealed class WorkloadNotFoundException(string what) : NewsstandException($"{what} does not exist.");

/// <summary>The job exists but cannot do what was asked yet (e.g. its sheet is not written until it succeeded).</summary>
[GenerateSerializer, Alias("Newsstand.JobNotReadyException")]
public sealed class JobNotReadyException(string jobId, string status)
    : NewsstandException($"Job {jobId} is {status}; its sheet can be downloaded once it has succeeded.")
{
    [Id(0)] public string Status { get; } = status;
}

/// <summary>A profile token that is not one of ours: malformed, tampered with, or made with a key this cluster does not hold.</summary>
[GenerateSerializer, Alias("Newsstand.InvalidTokenException")]
public sealed class InvalidTokenException(string reason) : NewsstandException(reason);

/// <summary>A retried task met only transient faults and gave up after <see cref="Tries"/> tries; retry after <see cref="RetryAfterSeconds"/>.</summary>
[GenerateSerializer, Alias("Newsstand.TaskRetriesExhaustedException")]
public sealed class TaskRetriesExhaustedException(string task, int tries, int retryAfterSeconds)
    : NewsstandException($"The {task} task failed {tries} times with transient faults and gave up; retry after {retryAfterSeconds} s.")
{
    [Id(0)] public int Tries { get; } = tries;

    [Id(1)] public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>A task met a fault that retrying cannot mend; it was not retried.</summary>
[GenerateSerializer, Alias("Newsstand.TaskFailedException")]
public sealed class TaskFailedException(string task, int tries, string reason)
    : NewsstandException($"The {task} task failed with a permanent fault after {tries} {(tries == 1 ? "try" : "tries")} ({reason}).")
{
    [Id(0)] public int Tries { get; } = tries;
}
