using Edge.Onvif.Xml;

namespace Edge.Tests.Onvif;

[TestClass]
public sealed class XmlDocumentWriterTests
{
    [TestMethod]
    public void PrefixesAreDeclaredWhereFirstNeededAndEmptyElementsAreShort()
    {
        var w = new XmlDocumentWriter();
        w.WriteStartDocument();
        w.WriteStartElement("s", "E", "urn:s");
        w.WriteNamespace("t", "urn:t");
        w.WriteStartElement("t", "A", "urn:t");
        w.WriteElementString("t", "B", "urn:t", "");
        w.WriteElementString("u", "C", "urn:u", "c");
        w.WriteElementString("", "D", "", "d");
        w.WriteStartElement("", "F", "urn:d");
        w.WriteElementString("", "G", "urn:d", "g");
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
        Assert.AreEqual("""<?xml version="1.0" encoding="utf-8"?><s:E xmlns:s="urn:s" xmlns:t="urn:t"><t:A><t:B/>""" +
            """<u:C xmlns:u="urn:u">c</u:C><D>d</D><F xmlns="urn:d"><G>g</G></F></t:A></s:E>""", w.ToString());
    }

    [TestMethod]
    public void TextAndAttributesAreEscaped()
    {
        var w = new XmlDocumentWriter();
        w.WriteStartElement("", "a", "");
        w.WriteAttributeString("v", "<&>\"'\t\n\r");
        w.WriteAttributeString("xml:lang", "en");
        w.WriteString("<&>\"']]>\r\n");
        w.WriteEndElement();
        Assert.AreEqual("<a v=\"&lt;&amp;&gt;&quot;'&#x9;&#xA;&#xD;\" xml:lang=\"en\">&lt;&amp;&gt;\"']]&gt;&#xD;\n</a>", w.ToString());
    }

    [TestMethod]
    public void WhatWouldNotBeWellFormedIsRefused()
    {
        var w = new XmlDocumentWriter();
        Assert.ThrowsExactly<InvalidOperationException>(() => w.WriteString("outside"));
        w.WriteStartElement("", "a", "");
        Assert.ThrowsExactly<ArgumentException>(() => w.WriteString("\u0001"));
        Assert.ThrowsExactly<ArgumentException>(() => w.WriteAttributeString("p:x", "unbound"));
        Assert.ThrowsExactly<ArgumentException>(() => w.WriteAttributeString("1x", "bad name"));
        Assert.ThrowsExactly<ArgumentException>(() => w.WriteStartElement("p", "b", ""));
        w.WriteAttributeString("x", "1");
        Assert.ThrowsExactly<InvalidOperationException>(() => w.WriteAttributeString("x", "2"));
        Assert.ThrowsExactly<InvalidOperationException>(() => w.ToString());
        w.WriteString("text");
        Assert.ThrowsExactly<InvalidOperationException>(() => w.WriteAttributeString("y", "late"));
        w.WriteEndElement();
        Assert.ThrowsExactly<InvalidOperationException>(() => w.WriteStartElement("", "second", ""));
        Assert.ThrowsExactly<InvalidOperationException>(() => w.WriteEndElement());
    }

    [TestMethod]
    public void WhatTheWriterWritesTheReaderReadsBackUnchanged()
    {
        string awkward = "<&>\"' ]]> \t\r\n\U0001F600 é";
        var w = new XmlDocumentWriter();
        w.WriteStartDocument();
        w.WriteStartElement("p", "root", "urn:p");
        w.WriteAttributeString("v", awkward);
        w.WriteElementString("q", "child", "urn:q", awkward);
        w.WriteElementString("p", "empty", "urn:p", "");
        w.WriteEndElement();

        var reader = new XmlPullReader(w.ToUtf8(), 4096);
        Assert.IsTrue(reader.Read());
        Assert.AreEqual(("root", "urn:p", awkward), (reader.LocalName, reader.NamespaceUri, reader.GetAttribute("v")));
        Assert.IsTrue(reader.Read());
        Assert.AreEqual(("child", "urn:q"), (reader.LocalName, reader.NamespaceUri));
        Assert.IsTrue(reader.Read());
        Assert.AreEqual(awkward, reader.Value);
        Assert.IsTrue(reader.Read());
        Assert.AreEqual(XmlNodeKind.EndElement, reader.Kind);
        Assert.IsTrue(reader.Read());
        Assert.IsTrue(reader.IsEmptyElement);
        Assert.AreEqual(("empty", "urn:p"), (reader.LocalName, reader.NamespaceUri));
        Assert.IsTrue(reader.Read());
        Assert.IsTrue(reader.Read());
        Assert.AreEqual((XmlNodeKind.EndElement, "root"), (reader.Kind, reader.LocalName));
        Assert.IsFalse(reader.Read());
    }
}
