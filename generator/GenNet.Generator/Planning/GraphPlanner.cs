using System.Collections.Generic;
using System.Linq;
using GenNet.Generator.Diagnostics;
using GenNet.Generator.Layers;
using GenNet.Generator.Model;

namespace GenNet.Generator.Planning;

/// <summary>
/// Turns a declaration into a graph and plans it: names and references resolved, each layer planned by its unit in
/// declaration order (every reference points backwards, so that order is topological), the loss matched to the output,
/// and the backward pass scheduled over gradient slots — a fork's consumers add into one gradient, and a slot is reused
/// once its gradient has been consumed (a chain ping-pongs between two).
/// </summary>
internal static class GraphPlanner
{
    private const int NoSlot = -1;

    public static PlanResult Plan(NetworkSpec spec)
    {
        var diagnostics = new List<DiagnosticInfo>();
        PlanResult Fail() => new(null, diagnostics.ToEquatableArray());

        CheckInputs(spec, diagnostics);
        if (spec.Layers.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, spec.NetworkLocation, spec.TypeName));
        }

        if (diagnostics.Count > 0)
        {
            return Fail();
        }

        // Nodes in declaration order: every input and every layer, each with its name.
        var declared = new List<(int Order, int Input, int Layer)>();
        declared.AddRange(spec.Inputs.Select((input, i) => (input.Order, i, -1)));
        declared.AddRange(spec.Layers.Select((layer, i) => (layer.Declaration.Order, -1, i)));
        declared.Sort((a, b) => a.Order.CompareTo(b.Order));
        int[] nodeOfInput = new int[spec.Inputs.Count];
        int[] nodeOfLayer = new int[spec.Layers.Count];
        var names = new string[declared.Count];
        var variables = new string[declared.Count];
        var kindIndex = new int[spec.Layers.Count];
        var kindCounts = new Dictionary<string, int>();
        for (int node = 0; node < declared.Count; node++)
        {
            (_, int input, int layer) = declared[node];
            if (input >= 0)
            {
                nodeOfInput[input] = node;
                names[node] = spec.Inputs[input].Name ?? (input == 0 ? "input" : $"input_{input}");
                variables[node] = spec.Inputs.Count == 1 ? "inputs" : $"input{input}";
            }
            else
            {
                nodeOfLayer[layer] = node;
                LayerSpec layerSpec = spec.Layers[layer];
                LayerUnit unit = layerSpec.Unit;
                kindCounts.TryGetValue(unit.Kind, out int index);
                kindCounts[unit.Kind] = index + 1;
                kindIndex[layer] = index;
                names[node] = layerSpec.Declaration.Name ?? unit.DefaultName(index);
                variables[node] = unit.VariableStem + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        CheckNames(spec, declared, names, diagnostics);
        if (diagnostics.Count > 0)
        {
            return Fail();
        }

        int[][] sources = ResolveSources(spec, declared, names, nodeOfLayer, nodeOfInput, diagnostics);
        if (diagnostics.Count > 0)
        {
            return Fail();
        }

        // Each layer planned by its unit over its sources' shapes.
        int[] nextLearners = NextLearners(spec, declared, sources);
        bool[] feedsOutput = FeedsOutput(spec, declared, sources);
        int[] foldsInto = FoldsInto(spec, declared, sources);
        var context = new PlanContext(spec, diagnostics);
        var shapes = new int[declared.Count][];
        var offsets = new int[declared.Count];
        var masks = new StepMask?[declared.Count];
        foreach ((InputSpec input, int i) in spec.Inputs.Select((input, i) => (input, i)))
        {
            shapes[nodeOfInput[i]] = input.Shape.ToArray();
            offsets[nodeOfInput[i]] = spec.Inputs.Count == 1 ? NodePlan.NetworkInput : context.Allocate(input.Shape.Aggregate(1, (a, b) => a * b)); // split out of each sample
        }

        var layers = new List<LayerPlan>();
        for (int layer = 0; layer < spec.Layers.Count; layer++)
        {
            LayerSpec layerSpec = spec.Layers[layer];
            int node = nodeOfLayer[layer];
            context.Sources = sources[layer].Select(s => shapes[s]).ToArray();
            context.SourceOffsets = sources[layer].Select(s => offsets[s]).ToArray();
            context.SourceNames = sources[layer].Select(s => names[s]).ToArray();
            context.SourceIsInput = sources[layer].Select(s => declared[s].Input >= 0).ToArray();
            context.SourceMasks = sources[layer].Select(s => masks[s]).ToArray();
            context.Name = names[node];
            context.Variable = variables[node];
            context.KindIndex = kindIndex[layer];
            context.NextLearner = nextLearners[layer] >= 0 ? spec.Layers[nextLearners[layer]].Declaration.Where : null;
            context.FeedsOutput = feedsOutput[layer];
            context.FoldsIntoSource = foldsInto[layer] >= 0;
            context.TakesFold = System.Array.IndexOf(foldsInto, layer) >= 0;
            if (layerSpec.Unit.Plan(layerSpec, context) is not { } planned)
            {
                return Fail();
            }

            planned = planned with { Header = planned.Header with { Sources = sources[layer].ToEquatableArray(), Output = node } };
            layers.Add(planned);
            if (planned.Fold is { } fold)
            {
                layers[foldsInto[layer]] = layers[foldsInto[layer]].WithFold(fold);
            }

            if (!planned.TakesMask && context.SourceMasks.FirstOrDefault(m => m is { PassedOn: false }) is { } lost)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MaskNotTaken, layerSpec.Declaration.Location, layerSpec.Declaration.Where,
                    lost.Producer, layerSpec.Unit.Kind));
                return Fail();
            }

            shapes[node] = planned.Header.OutputShape.ToArray();
            offsets[node] = planned.Header.OutputOffset;
            masks[node] = planned.OutputMask;
            if (!Fits(context.ParameterCount, spec, "parameter arena", diagnostics) ||
                !Fits(context.ActivationsPerSample, spec, "activation arena per sample", diagnostics))
            {
                return Fail();
            }
        }

        var nodes = Enumerable.Range(0, declared.Count)
            .Select(n => new NodePlan(names[n], variables[n], shapes[n].ToEquatableArray(), offsets[n], declared[n].Layer))
            .ToArray();
        int outputNode = nodeOfLayer[nodeOfLayer.Length - 1];
        int[] consumers = new int[declared.Count];
        foreach (int[] layerSources in sources)
        {
            foreach (int source in layerSources.Distinct())
            {
                consumers[source]++;
            }
        }

        ReportUnused(spec, nodes, declared.Select(d => d.Input).ToArray(), consumers, outputNode, diagnostics);

        // The loss: it reads the output through layers that only move values (Flatten) to the layer whose activation it sees.
        LayerPlan producer = layers[layers.Count - 1];
        bool single = true;
        while (producer.LossSeesThrough && !nodes[producer.Header.Sources[0]].IsInput)
        {
            producer = layers[nodes[producer.Header.Sources[0]].Layer];
            single &= consumers[producer.Header.Output] == 1;
        }

        ActivationKind lastActivation = producer.LossSeesThrough ? ActivationKind.Linear : producer.OutputActivation;
        LossKind loss = Planner.ResolveLoss(spec.Loss, lastActivation);
        string? misfit = Planner.Misfit(loss, lastActivation) ??
            (loss != LossKind.MeanSquaredError && !single
                ? $"the loss's gradient is fused with {producer.Header.Name}'s activation, so its output cannot be read by another layer as well"
                : null);
        if (misfit is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossDoesNotFitActivation, spec.NetworkLocation, loss, spec.TypeName, lastActivation, misfit));
            return Fail();
        }

        if (Planner.PoorFit(loss, lastActivation) is { } poorFit)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LossFitsPoorly, spec.NetworkLocation, loss, spec.TypeName, lastActivation, poorFit));
        }

        if (loss != LossKind.MeanSquaredError && !producer.LossSeesThrough && producer.WithFusedLoss() is { } fused)
        {
            layers[nodes[producer.Header.Output].Layer] = fused;
        }

        // What the backward pass visits: layers on a path to the output whose output's gradient something needs.
        bool[] learns = new bool[declared.Count];
        foreach (LayerPlan layer in layers)
        {
            learns[layer.Header.Output] = layer.HasParameters || layer.Header.Sources.Any(s => learns[s]);
        }

        bool[] leadsToOutput = new bool[declared.Count];
        leadsToOutput[outputNode] = true;
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            if (leadsToOutput[layers[i].Header.Output])
            {
                foreach (int source in layers[i].Header.Sources)
                {
                    leadsToOutput[source] = true;
                }
            }
        }

        for (int i = 0; i < layers.Count; i++)
        {
            LayerHeader header = layers[i].Header;
            bool inBackward = spec.Training && !layers[i].IsView && leadsToOutput[header.Output] && learns[header.Output];
            layers[i] = layers[i] with { Header = header with { InBackward = inBackward, GradientTo = header.Sources.Select(s => inBackward && learns[s]).ToEquatableArray() } };
        }

        int outputSize = nodes[outputNode].Size;
        int outputOffset = nodes[outputNode].Offset;
        bool copiesInput = outputOffset == NodePlan.NetworkInput; // only Flatten layers: the output is the input, kept for Outputs
        if (copiesInput)
        {
            outputOffset = context.Allocate(outputSize);
        }

        (BackwardStep[] backward, int slots, int width) = spec.Training
            ? ScheduleBackward(layers, nodes, outputNode)
            : (new BackwardStep[0], 0, 0);
        int kernelGradient = spec.Training ? context.KernelGradientSize : 0;
        if (!Fits(context.ActivationsPerSample + context.ColumnsPerSample + (long)slots * width, spec, "scratch arena per sample", diagnostics))
        {
            return Fail();
        }

        var plan = new NetworkPlan(
            spec, loss, nodes.ToEquatableArray(), nodeOfInput.ToEquatableArray(), layers.ToEquatableArray(), outputNode,
            ParameterCount: (int)context.ParameterCount, OutputOffset: outputOffset, CopiesInputToOutput: copiesInput,
            ActivationsPerSample: (int)context.ActivationsPerSample, ColumnsPerSample: (int)context.ColumnsPerSample,
            GradientWidth: width, GradientSlots: slots, Backward: backward.ToEquatableArray(),
            KernelsSize: context.KernelsSize, KernelSourcesSize: context.KernelSourcesSize, KernelGradientSize: kernelGradient, BufferCount: (int)context.BufferCount);
        return new PlanResult(plan, diagnostics.ToEquatableArray()); // warnings only: errors returned above
    }

    private static void CheckInputs(NetworkSpec spec, List<DiagnosticInfo> diagnostics)
    {
        foreach (InputSpec input in spec.Inputs)
        {
            if (input.Shape.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, input.Location, "[Input]", "the shape needs at least one dimension, for example [Input(28, 28)]"));
                continue;
            }

            for (int i = 0; i < input.Shape.Count; i++)
            {
                if (input.Shape[i] <= 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NonPositiveSize, input.Location, "[Input]", $"dimension {i + 1}", input.Shape[i]));
                }
            }

            if (!input.Shape.Any(d => d <= 0))
            {
                Planner.Fits(Planner.Product(input.Shape), input.Location, "[Input]", "input sample", diagnostics);
            }
        }

        long total = spec.Inputs.Sum(i => i.Shape.Any(d => d <= 0) ? 0 : Planner.Product(i.Shape));
        if (spec.Inputs.Count > 1 && diagnostics.Count == 0)
        {
            Planner.Fits(total, spec.NetworkLocation, spec.TypeName, "input sample (all inputs)", diagnostics);
        }
    }

    /// <summary>Names must be unique, and a name a layer chooses must be usable in a tensor's name (<c>block.conv1</c>).</summary>
    private static void CheckNames(NetworkSpec spec, List<(int Order, int Input, int Layer)> declared, string[] names, List<DiagnosticInfo> diagnostics)
    {
        var first = new Dictionary<string, int>(System.StringComparer.Ordinal);
        for (int node = 0; node < declared.Count; node++)
        {
            (_, int input, int layer) = declared[node];
            string? chosen = input >= 0 ? spec.Inputs[input].Name : spec.Layers[layer].Declaration.Name;
            LocationInfo? location = input >= 0 ? spec.Inputs[input].Location : spec.Layers[layer].Declaration.Location;
            string where = Describe(spec, declared[node]);
            if (chosen is not null && !IsValidName(chosen))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidArgument, location, where,
                    $"Name = \"{chosen}\" must start with a letter or '_' and hold only letters, digits and '_', in parts joined by '.' (it names the tensors, as in \"block.conv1\")"));
                continue;
            }

            if (first.TryGetValue(names[node], out int earlier))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateName, location, names[node], Describe(spec, declared[earlier]), where));
            }
            else
            {
                first[names[node]] = node;
            }
        }
    }

    private static bool IsValidName(string name)
    {
        foreach (string part in name.Split('.'))
        {
            if (part.Length == 0 || !(char.IsLetter(part[0]) || part[0] == '_') || !part.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_')))
            {
                return false;
            }
        }

        return true;
    }

    private static string Describe(NetworkSpec spec, (int Order, int Input, int Layer) node) =>
        node.Input >= 0 ? $"[Input] {node.Input + 1}" : spec.Layers[node.Layer].Declaration.Where;

    /// <summary>
    /// Each layer's sources: its <c>From</c>, a merge's names (after the previous output when it names one), or the output
    /// declared just before it (the first input when nothing is).
    /// </summary>
    private static int[][] ResolveSources(
        NetworkSpec spec, List<(int Order, int Input, int Layer)> declared, string[] names, int[] nodeOfLayer, int[] nodeOfInput, List<DiagnosticInfo> diagnostics)
    {
        var byName = new Dictionary<string, int>(System.StringComparer.Ordinal);
        for (int node = 0; node < names.Length; node++)
        {
            byName[names[node]] = node;
        }

        var sources = new int[spec.Layers.Count][];
        for (int layer = 0; layer < spec.Layers.Count; layer++)
        {
            LayerSpec layerSpec = spec.Layers[layer];
            Declaration declaration = layerSpec.Declaration;
            int node = nodeOfLayer[layer];
            // With one input, where [Input] stands does not matter (as before graphs): a layer reads the layer before it.
            int previous = spec.Inputs.Count == 1
                ? layer == 0 ? nodeOfInput[0] : nodeOfLayer[layer - 1]
                : node > 0 ? node - 1 : nodeOfInput[0];
            var references = new List<string?>();
            if (layerSpec.Joins.Count == 0)
            {
                references.Add(declaration.From);
            }
            else
            {
                if (layerSpec.Joins.Count == 1)
                {
                    references.Add(null);
                }

                references.AddRange(layerSpec.Joins);
            }

            var resolved = new List<int>();
            foreach (string? reference in references)
            {
                if (reference is null)
                {
                    resolved.Add(previous);
                }
                else if (!byName.TryGetValue(reference, out int source))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownName, declaration.Location, declaration.Where, reference,
                        string.Join(", ", names.Where((_, n) => n < node).Select(n => "'" + n + "'"))));
                }
                else if (source >= node)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameUsedBeforeDefined, declaration.Location, declaration.Where, reference,
                        source == node ? "its own output" : $"the output of {Describe(spec, declared[source])}, declared after it"));
                }
                else
                {
                    resolved.Add(source);
                }
            }

            sources[layer] = resolved.ToArray();
        }

        return sources;
    }

    /// <summary>
    /// Per layer, the first layer with parameters that reads its output, directly or through layers without parameters, or
    /// −1: what "a layer follows it" means in a graph (GN0011), where a layer declared below another need not read it.
    /// </summary>
    private static int[] NextLearners(NetworkSpec spec, List<(int Order, int Input, int Layer)> declared, int[][] sources)
    {
        int[] next = Enumerable.Repeat(-1, spec.Layers.Count).ToArray();
        for (int reader = spec.Layers.Count - 1; reader >= 0; reader--) // a layer's readers come after it, so theirs are known
        {
            int learner = spec.Layers[reader].Unit.Learns ? reader : next[reader];
            foreach (int source in sources[reader])
            {
                int layer = declared[source].Layer;
                if (learner >= 0 && layer >= 0 && (next[layer] < 0 || learner < next[layer]))
                {
                    next[layer] = learner;
                }
            }
        }

        return next;
    }

    /// <summary>
    /// Per layer, whether its output reaches the network's output through layers without parameters only: what the loss
    /// compares as it is (so dropout there is an error), whatever is declared below it.
    /// </summary>
    private static bool[] FeedsOutput(NetworkSpec spec, List<(int Order, int Input, int Layer)> declared, int[][] sources)
    {
        bool[] feeds = new bool[spec.Layers.Count];
        feeds[feeds.Length - 1] = true;
        for (int reader = spec.Layers.Count - 1; reader >= 0; reader--)
        {
            if (!feeds[reader] || spec.Layers[reader].Unit.Learns)
            {
                continue;
            }

            foreach (int source in sources[reader])
            {
                if (declared[source].Layer >= 0)
                {
                    feeds[declared[source].Layer] = true;
                }
            }
        }

        return feeds;
    }

    /// <summary>
    /// Per layer, the layer it folds into, or −1. In an inference-only network a normalisation folds into the layer it reads
    /// when that layer can take an affine map into its weights (a Dense or Conv2D without activation) and nothing else reads
    /// that layer's output (at a fork the other readers need it unnormalised).
    /// </summary>
    private static int[] FoldsInto(NetworkSpec spec, List<(int Order, int Input, int Layer)> declared, int[][] sources)
    {
        int[] into = Enumerable.Repeat(-1, spec.Layers.Count).ToArray();
        if (spec.Training)
        {
            return into;
        }

        int[] readers = new int[declared.Count];
        foreach (int source in sources.SelectMany(s => s.Distinct()))
        {
            readers[source]++;
        }

        for (int layer = 0; layer < spec.Layers.Count; layer++)
        {
            if (spec.Layers[layer].FoldsIntoSource && sources[layer].Length == 1 && readers[sources[layer][0]] == 1 &&
                declared[sources[layer][0]].Layer is int target and >= 0 && spec.Layers[target].AbsorbsAffine)
            {
                into[layer] = target;
            }
        }

        return into;
    }

    private static void ReportUnused(NetworkSpec spec, NodePlan[] nodes, int[] inputOfNode, int[] consumers, int outputNode, List<DiagnosticInfo> diagnostics)
    {
        for (int node = 0; node < nodes.Length; node++)
        {
            if (consumers[node] > 0 || node == outputNode)
            {
                continue;
            }

            if (nodes[node].IsInput)
            {
                InputSpec input = spec.Inputs[inputOfNode[node]];
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedInput, input.Location, nodes[node].Name, spec.TypeName));
            }
            else
            {
                Declaration declaration = spec.Layers[nodes[node].Layer].Declaration;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedOutput, declaration.Location, declaration.Where, nodes[node].Name,
                    spec.Layers[spec.Layers.Count - 1].Declaration.Where));
            }
        }
    }

    /// <summary>
    /// The backward pass in reverse declaration order. Each gradient lives in a slot of the scratch arena from the moment its
    /// first consumer writes it until its layer has read it; a view's gradient is its source's. A layer writes a source's
    /// gradient into a free slot, or, when another consumer already wrote it, into a spare slot that is then added to it.
    /// </summary>
    private static (BackwardStep[] Steps, int Slots, int Width) ScheduleBackward(List<LayerPlan> layers, NodePlan[] nodes, int outputNode)
    {
        int Owner(int node)
        {
            while (!nodes[node].IsInput && layers[nodes[node].Layer].IsView)
            {
                node = layers[nodes[node].Layer].Header.Sources[0];
            }

            return node;
        }

        var busy = new List<bool>();
        int Take()
        {
            int free = busy.IndexOf(false);
            if (free < 0)
            {
                busy.Add(true);
                return busy.Count - 1;
            }

            busy[free] = true;
            return free;
        }

        var slotOf = new Dictionary<int, int> { [Owner(outputNode)] = Take() }; // the loss writes the output's gradient into slot 0
        int width = nodes[outputNode].Size;
        var steps = new List<BackwardStep>();
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            LayerHeader header = layers[i].Header;
            if (!header.InBackward)
            {
                continue;
            }

            int dy = slotOf[Owner(header.Output)];
            width = System.Math.Max(width, header.OutputSize);
            var dx = new int[header.Sources.Count];
            var addInto = new int[header.Sources.Count];
            var spare = new List<int>();
            bool handedOver = false;
            for (int s = 0; s < header.Sources.Count; s++)
            {
                dx[s] = NoSlot;
                addInto[s] = NoSlot;
                if (!header.GradientTo[s])
                {
                    continue;
                }

                int target = Owner(header.Sources[s]);
                width = System.Math.Max(width, nodes[target].Size);
                bool written = slotOf.TryGetValue(target, out int existing);
                if (layers[i].BackwardInPlace)
                {
                    dx[s] = dy;
                    if (written)
                    {
                        addInto[s] = existing;
                    }
                    else
                    {
                        slotOf[target] = dy;
                        handedOver = true;
                    }
                }
                else if (written)
                {
                    dx[s] = Take();
                    addInto[s] = existing;
                    spare.Add(dx[s]);
                }
                else
                {
                    dx[s] = Take();
                    slotOf[target] = dx[s];
                }
            }

            steps.Add(new BackwardStep(i, dy, dx.ToEquatableArray(), addInto.ToEquatableArray()));
            foreach (int slot in spare)
            {
                busy[slot] = false;
            }

            if (!handedOver)
            {
                busy[dy] = false;
            }
        }

        return (steps.ToArray(), busy.Count, width);
    }

    private static bool Fits(long elements, NetworkSpec spec, string what, List<DiagnosticInfo> diagnostics) =>
        Planner.Fits(elements, spec.NetworkLocation, spec.TypeName, what, diagnostics);
}
