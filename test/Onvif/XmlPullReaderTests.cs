using System.Text;
using Edge.Onvif.Xml;

namespace Edge.Tests.Onvif;

[TestClass]
public sealed class XmlPullReaderTests
{
    private const int Limit = 4096;

    private static List<string> Nodes(string xml)
    {
        var reader = new XmlPullReader(Encoding.UTF8.GetBytes(xml), Limit);
        var nodes = new List<string>();
        while (reader.Read())
        {
            nodes.Add(reader.Kind switch
            {
                XmlNodeKind.StartElement => $"<{{{reader.NamespaceUri}}}{reader.LocalName}@{reader.Depth}>",
                XmlNodeKind.EndElement => $"</{{{reader.NamespaceUri}}}{reader.LocalName}@{reader.Depth}>",
                _ => $"'{reader.Value}'@{reader.Depth}",
            });
        }
        return nodes;
    }

    private static string Refusal(string xml) => Assert.ThrowsExactly<XmlFormatException>(() => Nodes(xml)).Message;

    [TestMethod]
    public void NamesResolveThroughDefaultAndPrefixedDeclarationsInScope()
    {
        var nodes = Nodes("""<?xml version="1.0" encoding="UTF-8"?><s:E xmlns:s="urn:s" xmlns="urn:d"><B><p:C xmlns:p="urn:p"/>""" +
            """<s:D xmlns="">x</s:D><F xmlns:s="urn:t"><s:G/></F></B></s:E>""");
        CollectionAssert.AreEqual(new[]
        {
            "<{urn:s}E@0>", "<{urn:d}B@1>", "<{urn:p}C@2>", "</{urn:p}C@2>", "<{urn:s}D@2>", "'x'@3", "</{urn:s}D@2>",
            "<{urn:d}F@2>", "<{urn:t}G@3>", "</{urn:t}G@3>", "</{urn:d}F@2>", "</{urn:d}B@1>", "</{urn:s}E@0>",
        }, nodes);
    }

    [TestMethod]
    public void AttributesAreUnprefixedInNoNamespaceAndPrefixedInTheirs()
    {
        var reader = new XmlPullReader("""<a xmlns="urn:d" xmlns:p="urn:p" Type='t' p:Type="pt" xml:lang="en"/>""", Limit);
        Assert.IsTrue(reader.Read());
        Assert.IsTrue(reader.IsEmptyElement);
        Assert.AreEqual("t", reader.GetAttribute("Type"));
        Assert.AreEqual("pt", reader.GetAttribute("Type", "urn:p"));
        Assert.AreEqual("en", reader.GetAttribute("lang", "http://www.w3.org/XML/1998/namespace"));
        Assert.IsNull(reader.GetAttribute("Type", "urn:d"));
        Assert.HasCount(3, reader.Attributes);
    }

    [TestMethod]
    public void EntitiesCharacterReferencesCdataAndLineEndsAreDecodedAndCommentsSkipped()
    {
        var nodes = Nodes("<a>&lt;&gt;&amp;&apos;&quot; &#65;&#x42;&#x1F600;<![CDATA[<b>&amp;]]><!-- c -->\r\nz</a>");
        CollectionAssert.AreEqual(new[] { "<{}a@0>", "'<>&'\" AB\U0001F600<b>&amp;\nz'@1", "</{}a@0>" }, nodes);
        var reader = new XmlPullReader("<a v=\"1&amp;2&#10;\t3\r\n4\"/>", Limit);
        reader.Read();
        Assert.AreEqual("1&2\n 3 4", reader.GetAttribute("v"));
    }

    [TestMethod]
    public void DtdsProcessingInstructionsAndUndefinedEntitiesAreRefused()
    {
        StringAssert.Contains(Refusal("""<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>"""), "DTD");
        StringAssert.Contains(Refusal("<a><?php echo 1; ?></a>"), "Processing instructions");
        StringAssert.Contains(Refusal("<a/><?xml-stylesheet href='x'?>"), "Processing instructions");
        StringAssert.Contains(Refusal("<a/>\n<?xml version=\"1.0\"?>"), "declaration must come first");
        StringAssert.Contains(Refusal("<a>&lol9;</a>"), "Undefined entity '&lol9;'");
        StringAssert.Contains(Refusal("<a>AT&T</a>"), "'&'");
        StringAssert.Contains(Refusal("<a>&#0;</a>"), "not a character");
        StringAssert.Contains(Refusal("<a>&#xD800;</a>"), "not a character");
    }

    [TestMethod]
    public void MalformedDocumentsAreRefusedWithWhereTheProblemIs()
    {
        StringAssert.Contains(Refusal("<a>\n  <b></a>"), "End tag </a> does not match <b>. (line 2, column 6)");
        StringAssert.Contains(Refusal("<a><b>"), "ends inside <b>");
        StringAssert.Contains(Refusal("<a/><b/>"), "one root element");
        StringAssert.Contains(Refusal("x<a/>"), "Text outside the root element");
        StringAssert.Contains(Refusal(""), "no root element");
        StringAssert.Contains(Refusal("<a b=c/>"), "quoted");
        StringAssert.Contains(Refusal("<a b='1' b='2'/>"), "appears twice");
        StringAssert.Contains(Refusal("<a xmlns:p='urn:x' xmlns:q='urn:x' p:b='1' q:b='2'/>"), "same namespace and name");
        StringAssert.Contains(Refusal("<a b='<'/>"), "'<' is not allowed");
        StringAssert.Contains(Refusal("<a>]]></a>"), "']]>'");
        StringAssert.Contains(Refusal("<a><!-- a -- b --></a>"), "'--'");
        StringAssert.Contains(Refusal("<a>\u0001</a>"), "U+0001");
        Assert.ThrowsExactly<XmlFormatException>(() => new XmlPullReader([0x3C, 0x61, 0xFF, 0x2F, 0x3E], Limit));
    }

    [TestMethod]
    public void UnboundPrefixesAndIllegalDeclarationsAreRefused()
    {
        StringAssert.Contains(Refusal("<p:a/>"), "Prefix 'p' of p:a is not bound");
        StringAssert.Contains(Refusal("<a p:b='1'/>"), "Prefix 'p' of p:b is not bound");
        StringAssert.Contains(Refusal("<a><b xmlns:p='urn:p'/><p:c/></a>"), "Prefix 'p' of p:c is not bound");
        StringAssert.Contains(Refusal("<a xmlns:p=''/>"), "empty namespace");
        StringAssert.Contains(Refusal("<a xmlns:xml='urn:x'/>"), "cannot be bound");
        StringAssert.Contains(Refusal("<a:b:c xmlns:a='urn:a'/>"), "not a valid name");
    }

    [TestMethod]
    public void NestingDeeperThanTheLimitAndDocumentsLargerThanItAreRefused()
    {
        string Nested(int depth) => string.Concat(Enumerable.Repeat("<a>", depth)) + string.Concat(Enumerable.Repeat("</a>", depth));
        Assert.HasCount(64, Nodes(Nested(XmlPullReader.DefaultMaxDepth)));
        StringAssert.Contains(Refusal(Nested(XmlPullReader.DefaultMaxDepth + 1)), "nested deeper than 32");
        string big = $"<a>{new string('x', Limit)}</a>";
        StringAssert.Contains(Assert.ThrowsExactly<XmlFormatException>(() => new XmlPullReader(Encoding.UTF8.GetBytes(big), Limit)).Message,
            $"larger than {Limit} bytes");
        StringAssert.Contains(Assert.ThrowsExactly<XmlFormatException>(() => new XmlPullReader(big, Limit)).Message,
            $"larger than {Limit} bytes");
    }

    [TestMethod]
    public void MoreAttributesOnAnElementOrNamespaceDeclarationsInScopeThanTheLimitsAreRefused()
    {
        string Attributes(int count) => $"<a {string.Join(' ', Enumerable.Range(0, count).Select(i => $"a{i}='{i}'"))}/>";
        Assert.HasCount(2, Nodes(Attributes(XmlPullReader.MaxAttributes)));
        StringAssert.Contains(Refusal(Attributes(XmlPullReader.MaxAttributes + 1)), "<a> has more than 64 attributes");

        // 64 declarations on each of three nested elements: 192 in scope.
        string Declarations(int level) => string.Join(' ', Enumerable.Range(0, 64).Select(i => $"xmlns:{(char)('p' + level)}{i}='u{i}'"));
        string nested = $"<a {Declarations(0)}><b {Declarations(1)}><c {Declarations(2)}/></b></a>";
        StringAssert.Contains(Refusal(nested), "More than 128 namespace declarations are in scope");
        Assert.HasCount(4, Nodes($"<a {Declarations(0)}><b {Declarations(1)}/></a>"), "128 are allowed");
    }

    [TestMethod]
    public void ByteInputMustBeUtf8AndMayStartWithAByteOrderMark()
    {
        Assert.HasCount(2, Nodes("\uFEFF<?xml version='1.0' encoding='utf-8'?><a/>"));
        StringAssert.Contains(Refusal("<?xml version='1.0' encoding='ISO-8859-1'?><a/>"), "Only UTF-8");
    }
}
