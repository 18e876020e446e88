// SPDX-License-Identifier: MIT
// A small strict JSON parser for tests (RFC 8259: objects, arrays,
// strings with escapes, numbers, true/false/null), so a test can check that
// a file is valid JSON and look inside it.
#ifndef VTDSIM_TEST_JSON_CHECK_H
#define VTDSIM_TEST_JSON_CHECK_H

#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace json
{

struct Value {
	enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
	bool b = false;
	double num = 0;
	std::string str;
	std::vector<Value> arr;
	std::map<std::string, Value> obj;

	const Value &operator[](const std::string &k) const
	{
		static const Value none;
		auto it = obj.find(k);
		return it == obj.end() ? none : it->second;
	}
	const Value &operator[](size_t i) const
	{
		static const Value none;
		return i < arr.size() ? arr[i] : none;
	}
	bool has(const std::string &k) const
	{
		return obj.count(k) != 0;
	}
};

class Parser
{
      public:
	explicit Parser(const std::string &s) : s_(s)
	{
	}
	// false with error() on anything that is not one JSON value
	bool parse(Value &v)
	{
		ws();
		if (!value(v, 0))
			return false;
		ws();
		if (i_ != s_.size())
			return fail("trailing characters");
		return true;
	}
	const std::string &error() const
	{
		return err_;
	}

      private:
	const std::string &s_;
	size_t i_ = 0;
	std::string err_;

	bool fail(const char *what)
	{
		err_ = std::string(what) + " at offset " + std::to_string(i_);
		return false;
	}
	void ws()
	{
		while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' ||
					  s_[i_] == '\n' || s_[i_] == '\r'))
			i_++;
	}
	bool lit(const char *w)
	{
		size_t n = std::char_traits<char>::length(w);
		if (s_.compare(i_, n, w))
			return fail("bad literal");
		i_ += n;
		return true;
	}
	bool value(Value &v, int depth)
	{
		if (depth > 256)
			return fail("nested too deep");
		if (i_ >= s_.size())
			return fail("unexpected end");
		char c = s_[i_];
		if (c == '{')
			return object(v, depth);
		if (c == '[')
			return array(v, depth);
		if (c == '"') {
			v.kind = Value::String;
			return string(v.str);
		}
		if (c == 't' || c == 'f') {
			v.kind = Value::Bool;
			v.b = c == 't';
			return lit(c == 't' ? "true" : "false");
		}
		if (c == 'n')
			return lit("null");
		return number(v);
	}
	bool number(Value &v)
	{
		size_t st = i_;
		if (i_ < s_.size() && s_[i_] == '-')
			i_++;
		if (i_ >= s_.size() || !isdigit((unsigned char)s_[i_]))
			return fail("bad number");
		if (s_[i_] == '0')
			i_++;
		else
			while (i_ < s_.size() && isdigit((unsigned char)s_[i_]))
				i_++;
		if (i_ < s_.size() && s_[i_] == '.') {
			i_++;
			if (i_ >= s_.size() || !isdigit((unsigned char)s_[i_]))
				return fail("bad fraction");
			while (i_ < s_.size() && isdigit((unsigned char)s_[i_]))
				i_++;
		}
		if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
			i_++;
			if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-'))
				i_++;
			if (i_ >= s_.size() || !isdigit((unsigned char)s_[i_]))
				return fail("bad exponent");
			while (i_ < s_.size() && isdigit((unsigned char)s_[i_]))
				i_++;
		}
		v.kind = Value::Number;
		v.num = strtod(s_.substr(st, i_ - st).c_str(), nullptr);
		return true;
	}
	bool string(std::string &out)
	{
		i_++; // "
		while (i_ < s_.size()) {
			unsigned char c = (unsigned char)s_[i_++];
			if (c == '"')
				return true;
			if (c < 0x20)
				return fail("control character in a string");
			if (c != '\\') {
				out += (char)c;
				continue;
			}
			if (i_ >= s_.size())
				break;
			char e = s_[i_++];
			switch (e) {
			case '"':
			case '\\':
			case '/':
				out += e;
				break;
			case 'b':
				out += '\b';
				break;
			case 'f':
				out += '\f';
				break;
			case 'n':
				out += '\n';
				break;
			case 'r':
				out += '\r';
				break;
			case 't':
				out += '\t';
				break;
			case 'u':
				for (int k = 0; k < 4; k++, i_++)
					if (i_ >= s_.size() ||
					    !isxdigit((unsigned char)s_[i_]))
						return fail("bad \\u escape");
				out += '?';
				break;
			default:
				return fail("bad escape");
			}
		}
		return fail("unterminated string");
	}
	bool array(Value &v, int depth)
	{
		v.kind = Value::Array;
		i_++;
		ws();
		if (i_ < s_.size() && s_[i_] == ']') {
			i_++;
			return true;
		}
		for (;;) {
			Value e;
			ws();
			if (!value(e, depth + 1))
				return false;
			v.arr.push_back(std::move(e));
			ws();
			if (i_ < s_.size() && s_[i_] == ',') {
				i_++;
				continue;
			}
			if (i_ < s_.size() && s_[i_] == ']') {
				i_++;
				return true;
			}
			return fail("expected , or ]");
		}
	}
	bool object(Value &v, int depth)
	{
		v.kind = Value::Object;
		i_++;
		ws();
		if (i_ < s_.size() && s_[i_] == '}') {
			i_++;
			return true;
		}
		for (;;) {
			std::string k;
			ws();
			if (i_ >= s_.size() || s_[i_] != '"')
				return fail("expected a key");
			if (!string(k))
				return false;
			ws();
			if (i_ >= s_.size() || s_[i_] != ':')
				return fail("expected :");
			i_++;
			ws();
			Value e;
			if (!value(e, depth + 1))
				return false;
			if (v.obj.count(k))
				return fail("duplicate key");
			v.obj[k] = std::move(e);
			ws();
			if (i_ < s_.size() && s_[i_] == ',') {
				i_++;
				continue;
			}
			if (i_ < s_.size() && s_[i_] == '}') {
				i_++;
				return true;
			}
			return fail("expected , or }");
		}
	}
};

} // namespace json

#endif
