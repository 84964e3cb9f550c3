using System;

namespace GenNet;

/// <summary>Reshapes the previous layer's output to one dimension. Costs nothing at run time.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
}
