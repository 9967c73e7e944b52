package dev.ddsls.analysis.jfr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The types a JFR chunk declares in its metadata event: for each type id, its name and fields in encoding order.
 * Enough to read the values ddsls needs and to skip every other value (constant pool entries carry no size).
 */
final class JfrTypes {
  /** How a field's value is encoded. */
  static final int BYTE = 0, VARINT = 1, FLOAT = 2, DOUBLE = 3, STRING = 4, POOL_REF = 5, STRUCT = 6;

  static final class Type {
    final long id;
    final String name;
    final List<Field> fields = new ArrayList<>();

    Type(long id, String name) {
      this.id = id;
      this.name = name;
    }

    /** The index of field {@code name}, or -1. */
    int field(String fieldName) {
      for (int i = 0; i < fields.size(); i++) {
        if (fields.get(i).name.equals(fieldName)) return i;
      }
      return -1;
    }
  }

  static final class Field {
    final String name;
    final long typeId;
    final boolean pooled;
    final boolean array;
    int kind;
    Type struct;

    Field(String name, long typeId, boolean pooled, boolean array) {
      this.name = name;
      this.typeId = typeId;
      this.pooled = pooled;
      this.array = array;
    }
  }

  final LongMap<Type> byId = new LongMap<>();
  final Map<String, Type> byName = new HashMap<>();

  /** Reads the metadata event at {@code in.pos}: header, string table, then the element tree. */
  static JfrTypes read(JfrInput in) {
    JfrTypes t = new JfrTypes();
    in.varint(); // size
    if (in.varlong() != 0) throw new IllegalStateException("no metadata event at byte " + in.pos);
    in.varlong(); // start time
    in.varlong(); // duration
    in.varlong(); // metadata id
    String[] strings = new String[in.varint()];
    for (int i = 0; i < strings.length; i++) strings[i] = in.string(null);
    t.element(in, strings, null);
    for (Type type : t.byName.values()) {
      for (Field f : type.fields) t.resolve(f);
    }
    return t;
  }

  /** One element of the tree: name, attributes, children. Collects "class" elements and their "field" children. */
  private void element(JfrInput in, String[] strings, Type owner) {
    String name = strings[in.varint()];
    Map<String, String> attrs = new HashMap<>();
    for (int n = in.varint(); n > 0; n--) {
      String key = strings[in.varint()];
      attrs.put(key, strings[in.varint()]);
    }
    Type type = null;
    if ("class".equals(name)) {
      type = new Type(Long.parseLong(attrs.get("id")), attrs.get("name"));
      byId.put(type.id, type);
      byName.put(type.name, type);
    } else if ("field".equals(name) && owner != null) {
      owner.fields.add(new Field(attrs.get("name"), Long.parseLong(attrs.get("class")), "true".equals(attrs.get("constantPool")),
          attrs.get("dimension") != null && !"0".equals(attrs.get("dimension"))));
    }
    for (int n = in.varint(); n > 0; n--) element(in, strings, type);
  }

  private void resolve(Field f) {
    if (f.pooled) {
      f.kind = POOL_REF;
      return;
    }
    Type type = byId.get(f.typeId);
    if (type == null) throw new IllegalStateException("field " + f.name + " has undeclared type " + f.typeId);
    switch (type.name) {
      case "boolean": case "byte": f.kind = BYTE; break;
      case "char": case "short": case "int": case "long": f.kind = VARINT; break;
      case "float": f.kind = FLOAT; break;
      case "double": f.kind = DOUBLE; break;
      case "java.lang.String": f.kind = STRING; break;
      default: f.kind = STRUCT; f.struct = type;
    }
  }

  /** Skips one value of field {@code f} (all elements when it is an array). */
  static void skip(JfrInput in, Field f) {
    int n = f.array ? in.varint() : 1;
    for (int i = 0; i < n; i++) skipOne(in, f);
  }

  private static void skipOne(JfrInput in, Field f) {
    switch (f.kind) {
      case BYTE: in.pos++; break;
      case VARINT: case POOL_REF: in.varlong(); break;
      case FLOAT: in.pos += 4; break;
      case DOUBLE: in.pos += 8; break;
      case STRING: in.skipString(); break;
      default: skipStruct(in, f.struct);
    }
  }

  static void skipStruct(JfrInput in, Type type) {
    List<Field> fields = type.fields;
    for (int i = 0, n = fields.size(); i < n; i++) skip(in, fields.get(i));
  }
}
