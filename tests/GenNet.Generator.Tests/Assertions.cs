using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace GenNet.Generator.Tests;

public static class Assertions
{
    /// <summary>No generator exception, no diagnostics, and the generated code compiles without warnings.</summary>
    public static void CleanRun(GeneratorRun run)
    {
        Assert.Null(run.Result.Results.Single().Exception);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationDiagnostics);
    }

    /// <summary>
    /// Runs the driver again on a clone of the compilation (and once more with an unrelated file added):
    /// every tracked step must come back Cached or Unchanged, so an edit elsewhere costs the generator nothing.
    /// </summary>
    public static void SecondRunIsCached(GeneratorRun run)
    {
        AssertCached(run.Driver.RunGenerators(run.Input.Clone()));
        AssertCached(run.Driver.RunGenerators(run.Input.AddSyntaxTrees(
            CSharpSyntaxTree.ParseText("class Unrelated { int M() => 1; }", (CSharpParseOptions)run.Input.SyntaxTrees.First().Options))));
    }

    public static void AssertCached(GeneratorDriver driver)
    {
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        int checkedSteps = 0;
        foreach (string name in NetworkGenerator.TrackingNames.All)
        {
            if (!result.TrackedSteps.TryGetValue(name, out var steps))
            {
                continue; // e.g. the diagnostics step filtered everything out
            }

            foreach (IncrementalGeneratorRunStep step in steps)
            {
                foreach ((object _, IncrementalStepRunReason reason) in step.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step {name} ran again: {reason}");
                    checkedSteps++;
                }
            }
        }

        Assert.True(checkedSteps > 0, "no tracked step was found");
    }
}
