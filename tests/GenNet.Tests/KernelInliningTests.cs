using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using GenNet.Kernels;
using Xunit;

namespace GenNet.Tests;

/// <summary>
/// The rule <see cref="Simd"/>'s remarks give: a kernel body that loops is never inlined, so dynamic PGO cannot merge it
/// into a loop-free caller recompiled at tier 1 (which made the bfloat16 row kernel 6–8× slower). Read from the IL: every
/// <see cref="IWidthKernel"/>'s <c>Run</c> that loops, and every looping width-generic method a loop-free <c>Run</c> calls,
/// must carry <see cref="MethodImplOptions.NoInlining"/>.
/// </summary>
public sealed class KernelInliningTests
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    private static IEnumerable<(Type Kernel, MethodInfo Run)> Kernels() =>
        typeof(Simd).Assembly.GetTypes()
            .Where(type => !type.IsInterface && type.GetInterfaces().Contains(typeof(IWidthKernel)))
            .Select(type => (type, type.GetMethod(nameof(IWidthKernel.Run), BindingFlags.Public | BindingFlags.Instance)!));

    private static bool NotInlined(MethodBase method) => (method.MethodImplementationFlags & MethodImplAttributes.NoInlining) != 0;

    private static bool AlwaysInlined(MethodBase method) => (method.MethodImplementationFlags & MethodImplAttributes.AggressiveInlining) != 0;

    [Fact]
    public void Every_looping_kernel_body_is_kept_out_of_its_callers()
    {
        var offenders = new List<string>();
        int looping = 0, dispatching = 0;
        foreach ((Type kernel, MethodInfo run) in Kernels())
        {
            Instructions body = Decode(run);
            if (body.Loops)
            {
                looping++;
                if (!NotInlined(run))
                {
                    offenders.Add($"{kernel.Name}.Run loops but may be inlined");
                }

                continue;
            }

            dispatching++;
            foreach (MethodBase callee in body.Calls(run))
            {
                if (callee.IsGenericMethod && callee.DeclaringType?.Namespace == typeof(Simd).Namespace
                    && !AlwaysInlined(callee) && Decode(callee).Loops && !NotInlined(callee))
                {
                    offenders.Add($"{kernel.Name}.Run calls {callee.DeclaringType!.Name}.{callee.Name}, which loops but may be inlined");
                }
            }
        }

        Assert.True(looping >= 15, $"only {looping} looping kernels found: the scan is broken");
        Assert.True(dispatching >= 5, $"only {dispatching} dispatching kernels found: the scan is broken");
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_il_scan_tells_a_loop_from_straight_code()
    {
        Assert.True(Decode(typeof(KernelInliningTests).GetMethod(nameof(Looping), BindingFlags.NonPublic | BindingFlags.Static)!).Loops);
        Assert.False(Decode(typeof(KernelInliningTests).GetMethod(nameof(Straight), BindingFlags.NonPublic | BindingFlags.Static)!).Loops);
        Assert.True(NotInlined(typeof(Dense).GetMethod("Forward", BindingFlags.NonPublic | BindingFlags.Static)!)); // the generic row kernel
    }

    private static int Looping(int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += i;
        }

        return sum;
    }

    private static int Straight(int n) => n > 3 ? n * 2 : n - 1;

    private sealed record Instructions(bool Loops, List<int> CallTokens, Module Module)
    {
        public IEnumerable<MethodBase> Calls(MethodInfo context)
        {
            Type[]? typeArguments = context.DeclaringType!.IsGenericType ? context.DeclaringType.GetGenericArguments() : null;
            Type[]? methodArguments = context.IsGenericMethod ? context.GetGenericArguments() : null;
            foreach (int token in CallTokens)
            {
                MethodBase? callee = Module.ResolveMethod(token, typeArguments, methodArguments);
                if (callee is not null)
                {
                    yield return callee is MethodInfo { IsGenericMethod: true } generic && !generic.IsGenericMethodDefinition
                        ? generic.GetGenericMethodDefinition()
                        : callee;
                }
            }
        }
    }

    // Walks the IL once: a branch to an earlier offset is a loop; call and callvirt tokens are collected.
    private static Instructions Decode(MethodBase method)
    {
        byte[] il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        var calls = new List<int>();
        bool loops = false;
        int at = 0;
        while (at < il.Length)
        {
            int start = at;
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            OpCode code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.ShortInlineBrTarget:
                    loops |= at + 1 + (sbyte)il[at] <= start;
                    at += 1;
                    break;
                case OperandType.InlineBrTarget:
                    loops |= at + 4 + BitConverter.ToInt32(il, at) <= start;
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    int targets = BitConverter.ToInt32(il, at);
                    at += 4 + 4 * targets;
                    break;
                case OperandType.InlineMethod:
                    if (code == OpCodes.Call || code == OpCodes.Callvirt)
                    {
                        calls.Add(BitConverter.ToInt32(il, at));
                    }

                    at += 4;
                    break;
                case OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    at += 4;
                    break;
            }
        }

        return new Instructions(loops, calls, method.Module);
    }
}
