/* @ts-self-types="./ikd_wasm.d.ts" */

/**
 * A live presentation waiting for its holder signature (from `preparePresentation`).
 */
export class PreparedPresentation {
    static __wrap(ptr) {
        const obj = Object.create(PreparedPresentation.prototype);
        obj.__wbg_ptr = ptr;
        PreparedPresentationFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        PreparedPresentationFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_preparedpresentation_free(ptr, 0);
    }
    /**
     * The claims it shows, by slot name.
     * @returns {string[]}
     */
    get disclosed() {
        const ret = wasm.preparedpresentation_disclosed(this.__wbg_ptr);
        var v1 = getArrayJsValueFromWasm0(ret[0], ret[1]);
        wasm.__wbindgen_export3(ret[0], ret[1] * 4, 4);
        return v1;
    }
    /**
     * The same key as 32 raw bytes (WebCrypto `importKey("raw", …, "Ed25519")`), to find or
     * check the key the signer holds.
     * @returns {Uint8Array}
     */
    get holderPublicKeyRaw() {
        const ret = wasm.preparedpresentation_holderPublicKeyRaw(this.__wbg_ptr);
        var v1 = getArrayU8FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_export3(ret[0], ret[1] * 1, 1);
        return v1;
    }
    /**
     * The credential's holder key, which must sign (an `ikdpk1:` text).
     * @returns {string}
     */
    get holderPublicKey() {
        let deferred1_0;
        let deferred1_1;
        try {
            const ret = wasm.preparedpresentation_holderPublicKey(this.__wbg_ptr);
            deferred1_0 = ret[0];
            deferred1_1 = ret[1];
            return getStringFromWasm0(ret[0], ret[1]);
        } finally {
            wasm.__wbindgen_export3(deferred1_0, deferred1_1, 1);
        }
    }
    /**
     * The time it is signed at, Unix seconds.
     * @returns {number}
     */
    get signedAtUnixSeconds() {
        const ret = wasm.preparedpresentation_signedAtUnixSeconds(this.__wbg_ptr);
        return ret;
    }
    /**
     * The exact bytes the holder key must sign (Ed25519 over these bytes, no pre-hashing;
     * WebCrypto: `crypto.subtle.sign("Ed25519", holderKey, signingBytes)`).
     * @returns {Uint8Array}
     */
    get signingBytes() {
        const ret = wasm.preparedpresentation_signingBytes(this.__wbg_ptr);
        var v1 = getArrayU8FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_export3(ret[0], ret[1] * 1, 1);
        return v1;
    }
}
if (Symbol.dispose) PreparedPresentation.prototype[Symbol.dispose] = PreparedPresentation.prototype.free;

/**
 * A verifier kept across calls, so that live presentations already accepted are refused as
 * replays. The replay memory lives as long as the object; `exportReplay` / `importReplay`
 * carry it across a reload.
 */
export class Verifier {
    static __wrap(ptr) {
        const obj = Object.create(Verifier.prototype);
        obj.__wbg_ptr = ptr;
        VerifierFinalization.register(obj, obj.__wbg_ptr, obj);
        return obj;
    }
    __destroy_into_raw() {
        const ptr = this.__wbg_ptr;
        this.__wbg_ptr = 0;
        VerifierFinalization.unregister(this);
        return ptr;
    }
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_verifier_free(ptr, 0);
    }
    /**
     * A snapshot of the live presentations this verifier remembers whose window has not
     * ended at `nowUnixSeconds` (or the latest time it was given): bytes to store and give
     * back to `importReplay` after a reload.
     * @param {number | null} [nowUnixSeconds]
     * @returns {Uint8Array}
     */
    exportReplay(nowUnixSeconds) {
        const ret = wasm.verifier_exportReplay(this.__wbg_ptr, !isLikeNone(nowUnixSeconds), isLikeNone(nowUnixSeconds) ? 0 : nowUnixSeconds);
        if (ret[3]) {
            throw takeFromExternrefTable0(ret[2]);
        }
        var v1 = getArrayU8FromWasm0(ret[0], ret[1]).slice();
        wasm.__wbindgen_export3(ret[0], ret[1] * 1, 1);
        return v1;
    }
    /**
     * Adds a snapshot from `exportReplay` to what this verifier remembers (never removes
     * anything); answers how many live entries were added. Bad bytes throw
     * `replay_state_invalid` (or `_too_large`, `_version`, `_full`) and change nothing.
     * @param {Uint8Array | number[]} bytes
     * @param {number} nowUnixSeconds
     * @param {LangOptions | null} [options]
     * @returns {number}
     */
    importReplay(bytes, nowUnixSeconds, options) {
        const val2 = +nowUnixSeconds;
        const ptr0 = passArray8ToWasm0(bytes, wasm.__wbindgen_export);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.verifier_importReplay(this.__wbg_ptr, ptr0, len0, val2, isLikeNone(options) ? 0 : addToExternrefTable0(options));
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return ret[0] >>> 0;
    }
    /**
     * The lists that did not verify when this verifier was made.
     * @returns {ListError[]}
     */
    get listErrors() {
        const ret = wasm.verifier_listErrors(this.__wbg_ptr);
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * A verifier over a trust store (JSON text); `options.skewSeconds` applies to every call.
     * @param {string} trustStoreJson
     * @param {VerifyOptions | null} [options]
     */
    constructor(trustStoreJson, options) {
        const ptr0 = passStringToWasm0(trustStoreJson, wasm.__wbindgen_export, wasm.__wbindgen_export2);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.verifier_new(ptr0, len0, isLikeNone(options) ? 0 : addToExternrefTable0(options));
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        this.__wbg_ptr = ret[0];
        VerifierFinalization.register(this, this.__wbg_ptr, this);
        return this;
    }
    /**
     * Verifies a text at `nowUnixSeconds` with this verifier's replay memory.
     * @param {string} text
     * @param {number} nowUnixSeconds
     * @param {VerifyOptions | null} [options]
     * @returns {VerificationView}
     */
    verify(text, nowUnixSeconds, options) {
        const val2 = +nowUnixSeconds;
        const ptr0 = passStringToWasm0(text, wasm.__wbindgen_export, wasm.__wbindgen_export2);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.verifier_verify(this.__wbg_ptr, ptr0, len0, val2, isLikeNone(options) ? 0 : addToExternrefTable0(options));
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return takeFromExternrefTable0(ret[0]);
    }
    /**
     * A verifier over a signed trust list, the pinned roots and `options.statusLists`.
     * @param {Uint8Array | number[]} trustList
     * @param {string[]} pinnedRoots
     * @param {VerifyOptions | null} [options]
     * @returns {Verifier}
     */
    static withTrustList(trustList, pinnedRoots, options) {
        let ptr0, len0, ptr1, len1;
        try {
            ptr0 = passArray8ToWasm0(trustList, wasm.__wbindgen_export);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passArrayJsValueToWasm0(pinnedRoots, wasm.__wbindgen_export);
            len1 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr1) { wasm.__wbindgen_export6(ptr1, len1); wasm.__wbindgen_export3(ptr1, len1 * 4, 4); }
            if (ptr0) { wasm.__wbindgen_export3(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.verifier_withTrustList(ptr0, len0, ptr1, len1, isLikeNone(options) ? 0 : addToExternrefTable0(options));
        if (ret[2]) {
            throw takeFromExternrefTable0(ret[1]);
        }
        return Verifier.__wrap(ret[0]);
    }
}
if (Symbol.dispose) Verifier.prototype[Symbol.dispose] = Verifier.prototype.free;

/**
 * Decides whether a downloaded status list (`offered`) replaces the one held (`held`, or
 * `null`), under the trust list held (`trustList`) verified with the pinned root keys.
 * Answers an `OfferView`; `accept: false` means keep the held list.
 * @param {Uint8Array | null} held
 * @param {Uint8Array | number[]} offered
 * @param {Uint8Array | number[]} trustList
 * @param {string[]} pinnedRoots
 * @param {number} nowUnixSeconds
 * @param {ListOptions | null} [options]
 * @returns {OfferView}
 */
export function decideStatusList(held, offered, trustList, pinnedRoots, nowUnixSeconds, options) {
    const val5 = +nowUnixSeconds;
    let ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3;
    try {
        ptr0 = isLikeNone(held) ? 0 : passArray8ToWasm0(held, wasm.__wbindgen_export);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArray8ToWasm0(offered, wasm.__wbindgen_export);
        len1 = WASM_VECTOR_LEN;
        ptr2 = passArray8ToWasm0(trustList, wasm.__wbindgen_export);
        len2 = WASM_VECTOR_LEN;
        ptr3 = passArrayJsValueToWasm0(pinnedRoots, wasm.__wbindgen_export);
        len3 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr3) { wasm.__wbindgen_export6(ptr3, len3); wasm.__wbindgen_export3(ptr3, len3 * 4, 4); }
        if (ptr2) { wasm.__wbindgen_export3(ptr2, len2 * 1, 1); }
        if (ptr1) { wasm.__wbindgen_export3(ptr1, len1 * 1, 1); }
        if (ptr0) { wasm.__wbindgen_export3(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.decideStatusList(ptr0, len0, ptr1, len1, ptr2, len2, ptr3, len3, val5, isLikeNone(options) ? 0 : addToExternrefTable0(options));
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * Decides whether a downloaded trust list (`offered`) replaces the one held (`held`, or
 * `null`), by the core's rule, with the pinned root keys (`ikdpk1:` texts). Answers an
 * `OfferView`; `accept: false` means keep the held list.
 * @param {Uint8Array | null} held
 * @param {Uint8Array | number[]} offered
 * @param {string[]} pinnedRoots
 * @param {number} nowUnixSeconds
 * @param {ListOptions | null} [options]
 * @returns {OfferView}
 */
export function decideTrustList(held, offered, pinnedRoots, nowUnixSeconds, options) {
    const val4 = +nowUnixSeconds;
    let ptr0, len0, ptr1, len1, ptr2, len2;
    try {
        ptr0 = isLikeNone(held) ? 0 : passArray8ToWasm0(held, wasm.__wbindgen_export);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArray8ToWasm0(offered, wasm.__wbindgen_export);
        len1 = WASM_VECTOR_LEN;
        ptr2 = passArrayJsValueToWasm0(pinnedRoots, wasm.__wbindgen_export);
        len2 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr2) { wasm.__wbindgen_export6(ptr2, len2); wasm.__wbindgen_export3(ptr2, len2 * 4, 4); }
        if (ptr1) { wasm.__wbindgen_export3(ptr1, len1 * 1, 1); }
        if (ptr0) { wasm.__wbindgen_export3(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.decideTrustList(ptr0, len0, ptr1, len1, ptr2, len2, val4, isLikeNone(options) ? 0 : addToExternrefTable0(options));
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * Decodes a credential text WITHOUT verifying it, for inspection: `verified` is false.
 * @param {string} text
 * @param {VerifyOptions | null} [options]
 * @returns {Inspection}
 */
export function decode(text, options) {
    const ptr0 = passStringToWasm0(text, wasm.__wbindgen_export, wasm.__wbindgen_export2);
    const len0 = WASM_VECTOR_LEN;
    const ret = wasm.decode(ptr0, len0, isLikeNone(options) ? 0 : addToExternrefTable0(options));
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * Step two: the presentation text, with the holder's 64-byte Ed25519 `signature` over
 * `prepared.signingBytes`. The signature must verify under the credential's holder key
 * (`present_holder_signature_invalid` otherwise).
 * @param {PreparedPresentation} prepared
 * @param {Uint8Array | number[]} signature
 * @param {LangOptions | null} [options]
 * @returns {string}
 */
export function finishPresentation(prepared, signature, options) {
    let deferred3_0;
    let deferred3_1;
    try {
        _assertClass(prepared, PreparedPresentation);
        const ptr0 = passArray8ToWasm0(signature, wasm.__wbindgen_export);
        const len0 = WASM_VECTOR_LEN;
        const ret = wasm.finishPresentation(prepared.__wbg_ptr, ptr0, len0, isLikeNone(options) ? 0 : addToExternrefTable0(options));
        var ptr2 = ret[0];
        var len2 = ret[1];
        if (ret[3]) {
            ptr2 = 0; len2 = 0;
            throw takeFromExternrefTable0(ret[2]);
        }
        deferred3_0 = ptr2;
        deferred3_1 = len2;
        return getStringFromWasm0(ptr2, len2);
    } finally {
        wasm.__wbindgen_export3(deferred3_0, deferred3_1, 1);
    }
}

/**
 * Step one of a live presentation of a full credential text showing the claims `disclose`,
 * signed at `nowUnixSeconds`, answering the counter's `challenge` (a string, its UTF-8 bytes,
 * or bytes) if given. The holder's key signs `signingBytes` outside this package; then
 * `finishPresentation`. Throws `present_*`, `disclosure_*` or `decode_*` codes.
 * @param {string} credentialText
 * @param {string[]} disclose
 * @param {number} nowUnixSeconds
 * @param {string | Uint8Array | null} [challenge]
 * @param {LangOptions | null} [options]
 * @returns {PreparedPresentation}
 */
export function preparePresentation(credentialText, disclose, nowUnixSeconds, challenge, options) {
    const val3 = +nowUnixSeconds;
    let ptr0, len0, ptr1, len1;
    try {
        ptr0 = passStringToWasm0(credentialText, wasm.__wbindgen_export, wasm.__wbindgen_export2);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArrayJsValueToWasm0(disclose, wasm.__wbindgen_export);
        len1 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr1) { wasm.__wbindgen_export6(ptr1, len1); wasm.__wbindgen_export3(ptr1, len1 * 4, 4); }
        if (ptr0) { wasm.__wbindgen_export3(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.preparePresentation(ptr0, len0, ptr1, len1, val3, isLikeNone(challenge) ? 0 : addToExternrefTable0(challenge), isLikeNone(options) ? 0 : addToExternrefTable0(options));
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return PreparedPresentation.__wrap(ret[0]);
}

/**
 * A presentation of a full credential text showing only `disclose`, with no holder
 * signature (not live: policies that require a live presentation refuse it).
 * @param {string} credentialText
 * @param {string[]} disclose
 * @param {LangOptions | null} [options]
 * @returns {string}
 */
export function staticPresentation(credentialText, disclose, options) {
    let deferred4_0;
    let deferred4_1;
    try {
        let ptr0, len0, ptr1, len1;
        try {
            ptr0 = passStringToWasm0(credentialText, wasm.__wbindgen_export, wasm.__wbindgen_export2);
            len0 = WASM_VECTOR_LEN;
            ptr1 = passArrayJsValueToWasm0(disclose, wasm.__wbindgen_export);
            len1 = WASM_VECTOR_LEN;
        } catch (e) {
            if (ptr1) { wasm.__wbindgen_export6(ptr1, len1); wasm.__wbindgen_export3(ptr1, len1 * 4, 4); }
            if (ptr0) { wasm.__wbindgen_export3(ptr0, len0 * 1, 1); }
            throw e;
        }
        const ret = wasm.staticPresentation(ptr0, len0, ptr1, len1, isLikeNone(options) ? 0 : addToExternrefTable0(options));
        var ptr3 = ret[0];
        var len3 = ret[1];
        if (ret[3]) {
            ptr3 = 0; len3 = 0;
            throw takeFromExternrefTable0(ret[2]);
        }
        deferred4_0 = ptr3;
        deferred4_1 = len3;
        return getStringFromWasm0(ptr3, len3);
    } finally {
        wasm.__wbindgen_export3(deferred4_0, deferred4_1, 1);
    }
}

/**
 * Verifies a credential or presentation text against a trust store (JSON text) at
 * `nowUnixSeconds`; answers the verification view. Live presentations are checked for replay
 * only within this one call: use `Verifier` to remember them.
 * @param {string} text
 * @param {string} trustStoreJson
 * @param {number} nowUnixSeconds
 * @param {VerifyOptions | null} [options]
 * @returns {VerificationView}
 */
export function verify(text, trustStoreJson, nowUnixSeconds, options) {
    const val3 = +nowUnixSeconds;
    let ptr0, len0, ptr1, len1;
    try {
        ptr0 = passStringToWasm0(text, wasm.__wbindgen_export, wasm.__wbindgen_export2);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passStringToWasm0(trustStoreJson, wasm.__wbindgen_export, wasm.__wbindgen_export2);
        len1 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr1) { wasm.__wbindgen_export3(ptr1, len1 * 1, 1); }
        if (ptr0) { wasm.__wbindgen_export3(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.verify(ptr0, len0, ptr1, len1, val3, isLikeNone(options) ? 0 : addToExternrefTable0(options));
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}

/**
 * Verifies a text against a signed trust list checked with the pinned root keys
 * (`ikdpk1:` texts), and the status lists in `options.statusLists`. A list that does not
 * verify is not used and is named in `list_errors`.
 * @param {string} text
 * @param {Uint8Array | number[]} trustList
 * @param {string[]} pinnedRoots
 * @param {number} nowUnixSeconds
 * @param {VerifyOptions | null} [options]
 * @returns {VerificationView}
 */
export function verifyWithTrustList(text, trustList, pinnedRoots, nowUnixSeconds, options) {
    const val4 = +nowUnixSeconds;
    let ptr0, len0, ptr1, len1, ptr2, len2;
    try {
        ptr0 = passStringToWasm0(text, wasm.__wbindgen_export, wasm.__wbindgen_export2);
        len0 = WASM_VECTOR_LEN;
        ptr1 = passArray8ToWasm0(trustList, wasm.__wbindgen_export);
        len1 = WASM_VECTOR_LEN;
        ptr2 = passArrayJsValueToWasm0(pinnedRoots, wasm.__wbindgen_export);
        len2 = WASM_VECTOR_LEN;
    } catch (e) {
        if (ptr2) { wasm.__wbindgen_export6(ptr2, len2); wasm.__wbindgen_export3(ptr2, len2 * 4, 4); }
        if (ptr1) { wasm.__wbindgen_export3(ptr1, len1 * 1, 1); }
        if (ptr0) { wasm.__wbindgen_export3(ptr0, len0 * 1, 1); }
        throw e;
    }
    const ret = wasm.verifyWithTrustList(ptr0, len0, ptr1, len1, ptr2, len2, val4, isLikeNone(options) ? 0 : addToExternrefTable0(options));
    if (ret[2]) {
        throw takeFromExternrefTable0(ret[1]);
    }
    return takeFromExternrefTable0(ret[0]);
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg___wbindgen_boolean_get_4f1baf9a00be3c74: function(arg0) {
            const v = arg0;
            const ret = typeof(v) === 'boolean' ? v : undefined;
            return isLikeNone(ret) ? 0xFFFFFF : ret ? 1 : 0;
        },
        __wbg___wbindgen_is_null_c22311b1cc228e3a: function(arg0) {
            const ret = arg0 === null;
            return ret;
        },
        __wbg___wbindgen_is_object_8b968c3ab8e96595: function(arg0) {
            const val = arg0;
            const ret = typeof(val) === 'object' && val !== null;
            return ret;
        },
        __wbg___wbindgen_is_undefined_be5b34249ff1fc15: function(arg0) {
            const ret = arg0 === undefined;
            return ret;
        },
        __wbg___wbindgen_number_get_934b640d0889af78: function(arg0, arg1) {
            const obj = arg1;
            const ret = typeof(obj) === 'number' ? obj : undefined;
            getDataViewMemory0().setFloat64((arg0 >>> 0) + 8 * 1, isLikeNone(ret) ? 0 : ret, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, !isLikeNone(ret), true);
        },
        __wbg___wbindgen_string_get_7ce8eee7fd327545: function(arg0, arg1) {
            const obj = arg1;
            const ret = typeof(obj) === 'string' ? obj : undefined;
            var ptr1 = isLikeNone(ret) ? 0 : passStringToWasm0(ret, wasm.__wbindgen_export, wasm.__wbindgen_export2);
            var len1 = WASM_VECTOR_LEN;
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 1, len1, true);
            getDataViewMemory0().setInt32((arg0 >>> 0) + 4 * 0, ptr1, true);
        },
        __wbg___wbindgen_throw_4c88d8bf264fd984: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbg_get_2080c49015e35254: function() { return handleError(function (arg0, arg1) {
            const ret = Reflect.get(arg0, arg1);
            return ret;
        }, arguments); },
        __wbg_get_unchecked_e6325ad374eff861: function(arg0, arg1) {
            const ret = arg0[arg1 >>> 0];
            return ret;
        },
        __wbg_instanceof_Uint8Array_d7aeb0dcb3108fea: function(arg0) {
            let result;
            try {
                result = arg0 instanceof Uint8Array;
            } catch (_) {
                result = false;
            }
            const ret = result;
            return ret;
        },
        __wbg_isArray_bcf1376d0d732d08: function(arg0) {
            const ret = Array.isArray(arg0);
            return ret;
        },
        __wbg_length_186163212ffe79c3: function(arg0) {
            const ret = arg0.length;
            return ret;
        },
        __wbg_length_b03a0fabb109b1e9: function(arg0) {
            const ret = arg0.length;
            return ret;
        },
        __wbg_new_787b9fb330d55d78: function(arg0, arg1) {
            const ret = new Error(getStringFromWasm0(arg0, arg1));
            return ret;
        },
        __wbg_parse_c3f72b5a24f83c01: function() { return handleError(function (arg0, arg1) {
            const ret = JSON.parse(getStringFromWasm0(arg0, arg1));
            return ret;
        }, arguments); },
        __wbg_prototypesetcall_13162965d1fe7aa3: function(arg0, arg1, arg2) {
            Uint8Array.prototype.set.call(getArrayU8FromWasm0(arg0, arg1), arg2);
        },
        __wbg_set_2793479888329cb6: function() { return handleError(function (arg0, arg1, arg2) {
            const ret = Reflect.set(arg0, arg1, arg2);
            return ret;
        }, arguments); },
        __wbg_set_name_822e3903f3184979: function(arg0, arg1, arg2) {
            arg0.name = getStringFromWasm0(arg1, arg2);
        },
        __wbindgen_generic_0000000000000001: function(arg0, arg1) {
            // Cast intrinsic for `Ref(String) -> Externref`.
            const ret = getStringFromWasm0(arg0, arg1);
            return ret;
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            table.set(0, undefined);
            table.set(1024, undefined);
            table.set(1025, null);
            table.set(1026, true);
            table.set(1027, false);
        },
    };
    return {
        __proto__: null,
        "./ikd_wasm_bg.js": import0,
    };
}

const PreparedPresentationFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_preparedpresentation_free(ptr, 1));
const VerifierFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_verifier_free(ptr, 1));

function addToExternrefTable0(obj) {
    const idx = wasm.__wbindgen_export5();
    wasm.__wbindgen_externrefs.set(idx, obj);
    return idx;
}

function _assertClass(instance, klass) {
    if (!(instance instanceof klass)) {
        throw new Error(`expected instance of ${klass.name}`);
    }
}

function getArrayJsValueFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    const mem = getDataViewMemory0();
    const result = [];
    for (let i = ptr; i < ptr + 4 * len; i += 4) {
        result.push(wasm.__wbindgen_externrefs.get(mem.getUint32(i, true)));
    }
    wasm.__wbindgen_export6(ptr, len);
    return result;
}

function getArrayU8FromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return getUint8ArrayMemory0().subarray(ptr / 1, ptr / 1 + len);
}

let cachedDataViewMemory0 = null;
function getDataViewMemory0() {
    if (cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.detached === true || (cachedDataViewMemory0.buffer.detached === undefined && cachedDataViewMemory0.buffer !== wasm.memory.buffer)) {
        cachedDataViewMemory0 = new DataView(wasm.memory.buffer);
    }
    return cachedDataViewMemory0;
}

function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}

let cachedUint8ArrayMemory0 = null;
function getUint8ArrayMemory0() {
    if (cachedUint8ArrayMemory0 === null || cachedUint8ArrayMemory0.byteLength === 0) {
        cachedUint8ArrayMemory0 = new Uint8Array(wasm.memory.buffer);
    }
    return cachedUint8ArrayMemory0;
}

function handleError(f, args) {
    try {
        return f.apply(this, args);
    } catch (e) {
        const idx = addToExternrefTable0(e);
        wasm.__wbindgen_export4(idx);
    }
}

function isLikeNone(x) {
    return x === undefined || x === null;
}

function passArray8ToWasm0(arg, malloc) {
    const ptr = malloc(arg.length * 1, 1) >>> 0;
    getUint8ArrayMemory0().set(arg, ptr / 1);
    WASM_VECTOR_LEN = arg.length;
    return ptr;
}

function passArrayJsValueToWasm0(array, malloc) {
    const ptr = malloc(array.length * 4, 4) >>> 0;
    for (let i = 0; i < array.length; i++) {
        const add = addToExternrefTable0(array[i]);
        getDataViewMemory0().setUint32(ptr + 4 * i, add, true);
    }
    WASM_VECTOR_LEN = array.length;
    return ptr;
}

function passStringToWasm0(arg, malloc, realloc) {
    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}

function takeFromExternrefTable0(idx) {
    const value = wasm.__wbindgen_externrefs.get(idx);
    wasm.__wbindgen_export7(idx);
    return value;
}

let cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
cachedTextDecoder.decode();
const MAX_SAFARI_DECODE_BYTES = 2146435072;
let numBytesDecoded = 0;
function decodeText(bytes) {
    numBytesDecoded += bytes.length;
    if (numBytesDecoded >= MAX_SAFARI_DECODE_BYTES) {
        cachedTextDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
        cachedTextDecoder.decode();
        numBytesDecoded = bytes.length;
    }
    return cachedTextDecoder.decode(bytes);
}

const cachedTextEncoder = new TextEncoder();

if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}

let WASM_VECTOR_LEN = 0;

let wasmModule, wasmInstance, wasm;
function __wbg_finalize_init(instance, module) {
    wasmInstance = instance;
    wasm = instance.exports;
    wasmModule = module;
    cachedDataViewMemory0 = null;
    cachedUint8ArrayMemory0 = null;
    wasm.__wbindgen_start();
    return wasm;
}

async function __wbg_load(module, imports) {
    if (typeof Response === 'function' && module instanceof Response) {
        if (!module.ok) {
            throw new Error(`failed to fetch Wasm: ${module.status} ${module.statusText} fetching '${module.url}'`);
        }

        if (typeof WebAssembly.instantiateStreaming === 'function') {
            try {
                return await WebAssembly.instantiateStreaming(module, imports);
            } catch (e) {
                const validResponse = expectedResponseType(module.type);

                if (validResponse && module.headers.get('Content-Type') !== 'application/wasm') {
                    console.warn("`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\n", e);

                } else { throw e; }
            }
        }

        const bytes = await module.arrayBuffer();
        return await WebAssembly.instantiate(bytes, imports);
    } else {
        const instance = await WebAssembly.instantiate(module, imports);

        if (instance instanceof WebAssembly.Instance) {
            return { instance, module };
        } else {
            return instance;
        }
    }

    function expectedResponseType(type) {
        switch (type) {
            case 'basic': case 'cors': case 'default': return true;
        }
        return false;
    }
}

function initSync(module) {
    if (wasm !== undefined) return wasm;


    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for `initSync()`; pass a single object instead')
        }
    }

    const imports = __wbg_get_imports();
    if (!(module instanceof WebAssembly.Module)) {
        module = new WebAssembly.Module(module);
    }
    const instance = new WebAssembly.Instance(module, imports);
    return __wbg_finalize_init(instance, module);
}

let __wbg_init_promise;
async function __wbg_init(module_or_path) {
    if (wasm !== undefined) return wasm;
    if (__wbg_init_promise === undefined) {
        __wbg_init_promise = __wbg_init_once(module_or_path);
        __wbg_init_promise.catch(() => { __wbg_init_promise = undefined; });
    }
    return __wbg_init_promise;
}

async function __wbg_init_once(module_or_path) {

    if (module_or_path !== undefined) {
        if (Object.getPrototypeOf(module_or_path) === Object.prototype) {
            ({module_or_path} = module_or_path)
        } else {
            console.warn('using deprecated parameters for the initialization function; pass a single object instead')
        }
    }

    if (module_or_path === undefined) {
        module_or_path = new URL('ikd_wasm_bg.wasm', import.meta.url);
    }
    const imports = __wbg_get_imports();

    if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)) {
        module_or_path = fetch(module_or_path);
    }

    const { instance, module } = await __wbg_load(await module_or_path, imports);

    return __wbg_finalize_init(instance, module);
}

export { initSync, __wbg_init as default };
