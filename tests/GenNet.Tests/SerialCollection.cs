using Xunit;

namespace GenNet.Tests;

/// <summary>
/// Tests that count allocations or time-sensitive hand-offs around GenNet's worker pool run alone, after the parallel
/// ones: another test training on the shared pool at the same moment makes a step wait on the pool's lock, and a
/// contended wait may allocate on the waiting thread.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial";
}
